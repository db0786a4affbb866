import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '@contacts/shared';
import { forbiddenAddressReason } from './address-policy.ts';

/** A webhook URL the SSRF guard will not call; `reason` is recorded on the endpoint. */
export class TargetRefusedError extends AppError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('webhook_target_refused', reason, options);
  }
}

/** Where one delivery connects: the address checked now, used for the connection itself. */
export interface PinnedTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

export type Resolver = (host: string) => Promise<readonly { address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, order: 'verbatim' });

/**
 * Resolves a webhook's host and checks every address it has: one forbidden address refuses the
 * target (a name with a public and a private address could be steered to the private one). The
 * address returned is the one the request connects to, so a DNS answer that changes between
 * check and connect (rebinding) cannot redirect it. Hosts in the allow-list skip the check.
 */
export async function resolveTarget(
  rawUrl: string,
  options: { allowedHosts: readonly string[]; resolve?: Resolver },
): Promise<PinnedTarget> {
  const url = new URL(rawUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetRefusedError(`scheme ${url.protocol} is not allowed`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  let addresses: readonly { address: string; family: number }[];
  try {
    addresses =
      isIP(host) === 0
        ? await (options.resolve ?? systemResolver)(host)
        : [{ address: host, family: isIP(host) }];
  } catch (error) {
    throw new TargetRefusedError(`host ${host} does not resolve`, { cause: error });
  }
  const first = addresses[0];
  if (first === undefined) throw new TargetRefusedError(`host ${host} has no address`);
  if (!options.allowedHosts.includes(host)) {
    for (const { address } of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason !== undefined)
        throw new TargetRefusedError(
          `host ${host} resolves to ${reason}; list it in WEBHOOK_ALLOWED_HOSTS to allow it`,
        );
    }
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
