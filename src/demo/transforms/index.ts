/**
 * The demo's real model transformations on face-api's TF.js weights:
 * export to safetensors, int8 quantization, a low-rank adapter merged or
 * side-loaded, and the release bundle. Every function is deterministic and
 * writes only inside its output folder.
 */
export { DemoModelError, type DemoModelErrorCode } from './errors.js';
export type { Tensor, TensorDtype } from './tensor.js';
export { faceApiModelDir, readTfjsModel } from './tfjs.js';
export {
  readSafetensors,
  writeSafetensors,
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
} from './safetensors.js';
export { exportTfjs, CONFIG_FILE, MODEL_FILE } from './export.js';
export { quantizeInt8, SCALE_SUFFIX, INT8_SCHEME } from './quantize.js';
export {
  makeAdapter,
  ADAPTER_FILE,
  ADAPTER_CONFIG_FILE,
  type AdapterOptions,
} from './adapter.js';
export { attachAdapter, ADAPTER_DIR } from './attach.js';
export { repackage, LABELS_FILE, README_FILE } from './repackage.js';
