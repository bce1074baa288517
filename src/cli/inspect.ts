// `onnx-mnist inspect PATH`: what any .onnx file holds (src/inspect/summary.ts), as
// text or, with --json, as one JSON object.
import type { Command } from 'commander';
import { readOnnxFile } from '../node/model-file.js';
import { summarizeOnnx, type OnnxSummary, type ValueSummary } from '../inspect/summary.js';
import { columns } from '../report/table.js';

/** Metadata values longer than this are cut on the terminal (--json shows them whole). */
const VALUE_WIDTH = 100;

export async function inspectFile(file: string): Promise<OnnxSummary> {
  const bytes = await readOnnxFile(file);
  try {
    return summarizeOnnx(bytes);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

const io = (vs: ValueSummary[]) => (vs.length ? columns(vs.map((v) => [`  ${v.name}`, v.dtype, v.shape ? `[${v.shape.join(',')}]` : '']), ['l', 'l', 'l']) : '  (none)');
const cut = (s: string) => (s.length > VALUE_WIDTH ? `${s.slice(0, VALUE_WIDTH)}… (${s.length} chars)` : s).replace(/\n/g, '\\n');

export function formatSummary(file: string, s: OnnxSummary): string {
  const opsets = s.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ') || 'none';
  const lines = [
    `${file}: ONNX IR version ${s.irVersion}, opset ${opsets}`,
    `producer: ${s.producer || '(not set)'}; graph: ${s.graphName || '(unnamed)'}`,
    `parameters: ${s.parameters.toLocaleString('en-US')} in ${s.initializers} initializer${s.initializers === 1 ? '' : 's'}`,
    '', 'inputs:', io(s.inputs), 'outputs:', io(s.outputs), '',
    `ops: ${s.nodes} node${s.nodes === 1 ? '' : 's'}${s.subgraphs ? `, counting those in ${s.subgraphs} subgraph${s.subgraphs === 1 ? '' : 's'} (Loop, If, Scan bodies)` : ''}`,
    s.ops.length ? columns(s.ops.map((o) => [`  ${o.op}`, String(o.count)])) : '  (none)',
  ];
  if (s.functions.length) lines.push('', 'functions:', columns(s.functions.map((f) => [`  ${f.name}`, `${f.nodes} nodes`])));
  const meta = Object.entries(s.metadata);
  lines.push('', meta.length ? 'metadata:' : 'metadata: (none)');
  if (meta.length) lines.push(columns(meta.map(([k, v]) => [`  ${k}`, cut(v)]), ['l', 'l']));
  return lines.join('\n');
}

export function registerInspect(program: Command): void {
  program.command('inspect')
    .description('show what an .onnx file holds: inputs and outputs, metadata, op counts, parameters, opset and IR version')
    .argument('<path>', 'any ONNX model file')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const s = await inspectFile(file);
      console.log(o.json ? JSON.stringify(s, null, 2) : formatSummary(file, s));
    });
}
