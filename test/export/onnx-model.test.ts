/**
 * The ONNX model of `bn export --to onnx`, decoded again with the same schema: what a runtime
 * reads besides the numbers (which test/e2e/export.test.ts runs in onnxruntime).
 */
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { ExportTransform } from '../../src/export/export-transform.js';
import { onnxModel, OPSET } from '../../src/export/onnx-model.js';
import { DOUBLE, FLOAT, ONNX_SCHEMA } from '../../src/export/onnx-schema.js';

const ModelProto = protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');

interface Decoded {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  producer_name: string;
  metadata_props: Array<{ key: string; value: string }>;
  graph: {
    node: Array<{ op_type: string; input: string[]; output: string[] }>;
    initializer: Array<{ name: string; dims: number[]; data_type: number; raw_data: Uint8Array }>;
    input: Array<{ name: string; type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_param?: string; dim_value?: number }> } } } }>;
    output: Array<{ name: string }>;
  };
}

function decode(bytes: Uint8Array): Decoded {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as Decoded;
}

const transform = (meanLow = [0, 0]): ExportTransform => ({
  features: ['x1', 'x 2'],
  params: { mean: Float64Array.of(10, 0.1), meanLow: Float64Array.from(meanLow), scale: Float64Array.of(1 / 3, 2), beta: Float64Array.of(1, -1) },
  statistics: 'running',
});

describe('onnxModel', () => {
  it('X [N, F] float64 → Sub, Mul, Add → Y, the constants exactly, the feature names in the metadata', () => {
    const model = decode(onnxModel(transform(), { producerVersion: '9.9.9' }));
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ version: OPSET }]);
    expect(model.producer_name).toBe('bn');
    expect(model.graph.node.map((n) => n.op_type)).toEqual(['Sub', 'Mul', 'Add']);
    expect(model.graph.node[0]!.input).toEqual(['X', 'mean']);
    expect(model.graph.node.at(-1)!.output).toEqual(['Y']);
    const [input] = model.graph.input;
    expect(input!.name).toBe('X');
    expect(input!.type.tensor_type.elem_type).toBe(DOUBLE);
    expect(input!.type.tensor_type.shape.dim).toEqual([{ dim_param: 'N' }, { dim_value: 2 }]);
    expect(model.graph.output.map((o) => o.name)).toEqual(['Y']);
    const scale = model.graph.initializer.find((t) => t.name === 'scale')!;
    expect(scale.dims).toEqual([2]);
    expect([...new Float64Array(Uint8Array.from(scale.raw_data).buffer)]).toEqual([1 / 3, 2]);
    const metadata = Object.fromEntries(model.metadata_props.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata.features!)).toEqual(['x1', 'x 2']);
    expect(metadata.statistics).toBe('running');
  });

  it('a low part of the mean: the six operations of TwoSum before the scale', () => {
    const model = decode(onnxModel(transform([1e-15, 0]), { producerVersion: '0' }));
    expect(model.graph.node.map((n) => n.op_type)).toEqual(['Sub', 'Sub', 'Sub', 'Sub', 'Sub', 'Add', 'Sub', 'Add', 'Mul', 'Add']);
    expect(model.graph.initializer.map((t) => t.name).sort()).toEqual(['beta', 'mean', 'mean_low', 'negative_mean', 'scale']);
  });

  it('--float32: float tensors and constants, no low part', () => {
    const model = decode(onnxModel(transform([1e-15, 0]), { producerVersion: '0', float32: true }));
    expect(model.graph.input[0]!.type.tensor_type.elem_type).toBe(FLOAT);
    expect(model.graph.node.map((n) => n.op_type)).toEqual(['Sub', 'Mul', 'Add']);
    const scale = model.graph.initializer.find((t) => t.name === 'scale')!;
    expect(scale.data_type).toBe(FLOAT);
    expect([...new Float32Array(Uint8Array.from(scale.raw_data).buffer)]).toEqual([Math.fround(1 / 3), 2]);
  });

  it('a file without feature names: no features in the metadata', () => {
    const model = decode(onnxModel({ ...transform(), features: undefined }, { producerVersion: '0' }));
    expect(model.metadata_props.map((p) => p.key)).not.toContain('features');
  });
});
