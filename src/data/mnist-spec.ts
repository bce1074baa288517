// The one place that says what the model's input is. Everything else (graph,
// artifact metadata, server, browser) reads these values or the artifact's copy.

/** torchvision's MNIST statistics, applied inside the graph to pixels in [0,1]. */
export const NORMALIZATION = { mean: 0.1307, std: 0.3081 } as const;

export const IMAGE_ROWS = 28;
export const IMAGE_COLS = 28;
export const IMAGE_SIZE = IMAGE_ROWS * IMAGE_COLS;

/** Inference input layout: [N, 1, 28, 28], float32 in [0,1] (ink high, background 0). */
export const INPUT_SHAPE = ['N', 1, IMAGE_ROWS, IMAGE_COLS] as const;

export const CLASS_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export const NUM_CLASSES = CLASS_LABELS.length;

/** The standard IDX file names of an MNIST-style dataset folder (each may also end in .gz). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
