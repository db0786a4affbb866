export { KmsEnvelopeSealer } from './kms-envelope-sealer.ts';
export { LocalKeySealer } from './local-key-sealer.ts';
export { SecretUnsealError, type SecretContext, type SecretSealer } from './secret-sealer.ts';
