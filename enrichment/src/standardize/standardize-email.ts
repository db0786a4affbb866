import { cleanText } from './normalize-text.ts';

/** A syntactically valid email: `value` is what the output shows, `key` what matching compares. */
export interface StandardEmail {
  readonly value: string;
  readonly key: string;
  /** The key's local part (before "@"), for same-mailbox-other-domain comparisons. */
  readonly local: string;
}

// Pragmatic RFC 5321 subset: dot-atom local part, LDH domain labels (Unicode letters allowed for
// IDNs), and a final label of at least two letters.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LABEL = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

// The same rules for the common all-ASCII case, as one regular expression (much faster than the
// Unicode-aware checks, which then only run for internationalized addresses).
const ASCII_EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

const GMAIL_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);
// Providers that deliver "name+anything@" to "name@": the tag is noise for matching.
const PLUS_TAG_DOMAINS: ReadonlySet<string> = new Set([
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'fastmail.com',
  'fastmail.fm',
  'protonmail.com',
  'proton.me',
  'pm.me',
]);

/**
 * Validates and standardizes one email cell. Accepts "Name <addr>" and "mailto:" forms. The
 * output value is lower-cased (mailbox names are case-insensitive in practice); provider rules
 * (Gmail dots, +tags, googlemail.com) apply to the match key only, never to the value.
 * Returns undefined when the cell holds no valid address.
 */
export function standardizeEmail(raw: string): StandardEmail | undefined {
  let text = cleanText(raw);
  if (text === '') return undefined;
  const angle = /<([^<>]+)>/.exec(text);
  if (angle) text = (angle[1] ?? '').trim();
  if (/^mailto:/i.test(text)) text = text.slice(7);
  const lower = text.toLowerCase();
  if (lower.length <= 254 && ASCII_EMAIL.test(lower)) {
    const at = lower.indexOf('@');
    if (at <= 64) return keyed(lower.slice(0, at), lower.slice(at + 1));
  }
  const value = lower;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@') || value.length > 254) return undefined;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).replace(/\.$/, '');
  if (local.length > 64 || !LOCAL_PART.test(local) || !isValidDomain(domain)) return undefined;
  return keyed(local, domain);
}

function keyed(local: string, domain: string): StandardEmail {
  const key = emailKey(local, domain);
  return { value: `${local}@${domain}`, key, local: key.slice(0, key.lastIndexOf('@')) };
}

/** Splits a cell that may list several addresses ("a@x.com; b@y.com") and keeps the valid ones. */
export function standardizeEmails(raw: string): StandardEmail[] {
  const trimmed = raw.trim();
  if (!/[;,\s]/.test(trimmed)) {
    const one = standardizeEmail(trimmed);
    return one ? [one] : [];
  }
  const out: StandardEmail[] = [];
  for (const part of trimmed.split(/[;,]/)) {
    // "Jane Doe <jane@x.com>" is one address; "a@x.com b@y.com" is two.
    const pieces = part.includes('<') ? [part] : part.split(/\s+/);
    for (const piece of pieces) {
      const email = standardizeEmail(piece);
      if (email && !out.some((e) => e.key === email.key)) out.push(email);
    }
  }
  return out;
}

function emailKey(local: string, domain: string): string {
  if (GMAIL_DOMAINS.has(domain)) {
    const plus = local.indexOf('+');
    const user = (plus >= 0 ? local.slice(0, plus) : local).replace(/\./g, '');
    return `${user}@gmail.com`;
  }
  if (PLUS_TAG_DOMAINS.has(domain)) {
    const plus = local.indexOf('+');
    if (plus > 0) return `${local.slice(0, plus)}@${domain}`;
  }
  return `${local}@${domain}`;
}

function isValidDomain(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2 || domain.length > 253) return false;
  for (const label of labels) if (!DOMAIN_LABEL.test(label)) return false;
  return TOP_LABEL.test(labels[labels.length - 1] ?? '');
}
