/**
 * `bn export --to onnx`: the transform as an ONNX model with one input X [N, F] and one output
 * Y [N, F], float64 (or float32), written with protobufjs from ./onnx-schema.ts.
 *
 * Why Sub, Mul and Add with precomputed constants and not the BatchNormalization operator: that
 * operator computes √(var + ε) and divides at run time, in the runtime's own order and often in
 * float32 inside, while bn rounds scale = γ/√(var + ε) once, correctly, from the exact variance
 * (../engine/exact-scale.ts), and applies y = (x − mean)·scale + β. The same constants and the same
 * operations in the same order give the same float64 results, bit for bit.
 *
 * With --exact the mean carries a low part (what rounding the dataset mean to a double left out).
 * bn then computes x − mean exactly as d + e (Knuth's TwoSum) and subtracts the low part from e
 * (../pipeline/transform-batch.ts); the model spells out the same six operations.
 */
import protobuf from 'protobufjs';
import { BnError } from '../errors.js';
import type { ExportTransform } from './export-transform.js';
import { DOUBLE, FLOAT, ONNX_SCHEMA } from './onnx-schema.js';

/** The ONNX operator set: Sub, Mul and Add are unchanged since 14; 17 is read by runtimes from 2022 on. */
export const OPSET = 17;
/** The IR version of opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

export interface OnnxOptions {
  float32?: boolean;
  /** bn's version, for the model's producer_version. */
  producerVersion: string;
}

interface Node {
  op_type: 'Sub' | 'Mul' | 'Add';
  input: string[];
  output: string[];
  name: string;
}

export function onnxModel(transform: ExportTransform, options: OnnxOptions): Uint8Array {
  const { mean, meanLow, scale, beta, prescale } = transform.params;
  const width = mean.length;
  const float32 = options.float32 === true;
  const elemType = float32 ? FLOAT : DOUBLE;
  const initializer: object[] = [];
  const constant = (name: string, values: ArrayLike<number>) => {
    if (float32) checkFloat32(name, values, transform.features);
    initializer.push({ name, dims: [width], data_type: elemType, raw_data: littleEndian(values, float32) });
    return name;
  };
  const nodes: Node[] = [];
  const op = (op_type: Node['op_type'], a: string, b: string, out: string) => {
    nodes.push({ op_type, input: [a, b], output: [out], name: out });
    return out;
  };

  // float32 carries no low part: it is below float32's precision.
  const twoSum = !float32 && meanLow.some((x) => x !== 0);
  // A feature of tiny values is taken in units of 1/prescale first (a power of two: exact).
  const x = prescale ? op('Mul', 'X', constant('prescale', prescale), 'X_prescaled') : 'X';
  let centred: string;
  if (twoSum) {
    // d + e = x − mean exactly (TwoSum), then (d + (e − meanLow)): transformBatch's operations.
    const d = op('Sub', x, constant('mean', mean), 'd');
    const v = op('Sub', d, x, 'v');
    const e1 = op('Sub', x, op('Sub', d, v, 'd_minus_v'), 'e1');
    const e2 = op('Sub', constant('negative_mean', mean.map((a) => -a)), v, 'e2');
    const e = op('Add', e1, e2, 'e');
    centred = op('Add', d, op('Sub', e, constant('mean_low', meanLow), 'e_minus_mean_low'), 'centred');
  } else {
    centred = op('Sub', x, constant('mean', mean), 'centred');
  }
  op('Add', op('Mul', centred, constant('scale', scale), 'scaled'), constant('beta', beta), 'Y');

  const valueInfo = (name: string) => ({
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: [{ dim_param: 'N' }, { dim_value: width }] } } },
  });
  const metadata: Record<string, string> = {
    transform: `Y = ${twoSum ? '((X_ - mean) - mean_low)' : '(X_ - mean)'} * scale + beta`.replaceAll('X_', prescale ? 'X * prescale' : 'X'),
    statistics: transform.statistics,
  };
  if (transform.features) metadata.features = JSON.stringify(transform.features);
  const model = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'bn',
    producer_version: options.producerVersion,
    doc_string: 'Batch normalization in inference mode, y = γ·(x − mean)/√(var + ε) + β, with scale = γ/√(var + ε) precomputed.',
    graph: {
      name: 'bn_normalize',
      node: nodes,
      initializer,
      input: [valueInfo('X')],
      output: [valueInfo('Y')],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
  const ModelProto = protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/**
 * A constant float32 cannot hold (a scale beyond 3.4e38; the power of two that brings a feature of
 * tiny values near 1, whose values float32 cannot hold either) would make the model write
 * Infinity or NaN: refused, naming the feature.
 */
function checkFloat32(name: string, values: ArrayLike<number>, features: readonly string[] | undefined): void {
  for (let f = 0; f < values.length; f++) {
    const x = values[f]!;
    if (Number.isFinite(x) && !Number.isFinite(Math.fround(x))) {
      const feature = features ? JSON.stringify(features[f]) : `${f + 1}`;
      throw new BnError('BN_USAGE', `--float32: the ${name.replace(/_/g, ' ')} of feature ${feature} (${x}) is beyond float32 range; export the float64 model (without --float32)`);
    }
  }
}

/** raw_data: fixed-width little-endian IEEE 754, as ONNX requires whatever the machine's order. */
function littleEndian(values: ArrayLike<number>, float32: boolean): Uint8Array {
  const size = float32 ? 4 : 8;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (float32) view.setFloat32(i * size, values[i]!, true);
    else view.setFloat64(i * size, values[i]!, true);
  }
  return bytes;
}
