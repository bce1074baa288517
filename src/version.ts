/** The producer version written into artifacts; a test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
export const PRODUCER = `onnx-mnist ${VERSION}`;
