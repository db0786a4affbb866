import { KMSClient } from '@aws-sdk/client-kms';
import type { AwsConfig, SecretsConfig } from '../config.ts';
import { KmsEnvelopeSealer } from '../secrets/kms-envelope-sealer.ts';
import { LocalKeySealer } from '../secrets/local-key-sealer.ts';
import type { SecretSealer } from '../secrets/secret-sealer.ts';

/**
 * The sealer the configuration names (composition roots only): KMS envelopes when
 * CONNECTIONS_KMS_KEY_ID is set, else the local key file. `destroy` frees the KMS client.
 */
export function createSecretSealer(
  secrets: SecretsConfig,
  aws: AwsConfig,
): { sealer: SecretSealer; destroy: () => void } {
  if (secrets.kmsKeyId === undefined)
    return { sealer: new LocalKeySealer(secrets.keyFile), destroy: () => undefined };
  const kms = new KMSClient({
    region: aws.region,
    ...(aws.credentials && { credentials: aws.credentials }),
  });
  return {
    sealer: new KmsEnvelopeSealer({ kms, keyId: secrets.kmsKeyId }),
    destroy: () => {
      kms.destroy();
    },
  };
}
