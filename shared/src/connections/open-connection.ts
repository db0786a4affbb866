import type { SecretSealer } from '../secrets/secret-sealer.ts';
import type { ConnectionStore, ConnectionType } from './connection-store.ts';

/** A connection ready to use: the secret opened. Keep it in memory only; never log it. */
export interface OpenedConnection {
  readonly id: string;
  readonly type: ConnectionType;
  readonly apiKey: string;
  readonly dataCenter: string;
  /** The fleet-wide limiter's account name (MailchimpLimiters.forAccount). */
  readonly accountKey: string;
}

/** The sealing context of a connection's secret: it only opens for this tenant and id. */
export function connectionSecretContext(
  tenantId: string,
  connectionId: string,
): Record<string, string> {
  return { tenantId, connectionId };
}

/**
 * Reads a tenant's connection and opens its secret (the worker's way in). Throws
 * ConnectionNotFoundError when the tenant has no such connection (deleted meanwhile, or another
 * tenant's id), SecretUnsealError when the secret does not open.
 */
export async function openConnection(
  deps: { readonly store: ConnectionStore; readonly sealer: SecretSealer },
  tenantId: string,
  connectionId: string,
): Promise<OpenedConnection> {
  const record = await deps.store.get(tenantId, connectionId);
  const apiKey = await deps.sealer.open(
    record.sealedSecret,
    connectionSecretContext(tenantId, connectionId),
  );
  return {
    id: record.id,
    type: record.type,
    apiKey,
    dataCenter: record.dataCenter,
    accountKey: record.accountKey,
  };
}
