/**
 * `bn export` for programs: the constants of inference mode's transform, and the writers that
 * spell them as SQL and as an ONNX model. protobufjs is loaded when a model is first written,
 * not when bn is.
 */
import type { ExportTransform } from './export-transform.js';
import type { OnnxOptions } from './onnx-model.js';

export { exportTransform, type ExportOptions, type ExportTransform } from './export-transform.js';
export { DIALECTS, quoteIdentifier, sqlSelect, type Dialect, type SqlOptions } from './sql-select.js';
export type { OnnxOptions } from './onnx-model.js';

/** The ONNX model's bytes (see ./onnx-model.ts). */
export async function onnxModel(transform: ExportTransform, options: OnnxOptions): Promise<Uint8Array> {
  const { onnxModel: write } = await import('./onnx-model.js');
  return write(transform, options);
}
