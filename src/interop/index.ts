/**
 * Interoperability with the OpenSSF Model Signing format (model.sig).
 * @packageDocumentation
 */
export { readOmsBundle } from './oms-bundle.js';
export type { OmsBundle } from './oms-bundle.js';
export { verifyOmsSignature } from './oms-methods.js';
export type { OmsMethod, OmsSigner } from './oms-methods.js';
export {
  OMS_PREDICATE_V01,
  OMS_PREDICATE_V1,
  readOmsPredicate,
} from './oms-predicate.js';
export type { OmsPredicate } from './oms-predicate.js';
export { verifyModelSignature } from './oms-verify.js';
export type { OmsMismatch, OmsVerification } from './oms-verify.js';
export { omsStatement, signModel } from './oms-sign.js';
export type { OmsSigningMethod } from './oms-sign.js';
