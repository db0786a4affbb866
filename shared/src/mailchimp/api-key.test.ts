import { describe, expect, it } from 'vitest';
import {
  mailchimpAccountKey,
  mailchimpBaseUrl,
  MailchimpKeyFormatError,
  parseMailchimpApiKey,
} from './api-key.ts';

describe('parseMailchimpApiKey', () => {
  it('splits the data center off the key', () => {
    expect(parseMailchimpApiKey(' 0123456789abcdef0123456789abcdef-us6 ')).toEqual({
      apiKey: '0123456789abcdef0123456789abcdef-us6',
      dataCenter: 'us6',
    });
  });

  it('says so when the data center suffix is missing', () => {
    expect(() => parseMailchimpApiKey('0123456789abcdef0123456789abcdef')).toThrow(
      MailchimpKeyFormatError,
    );
    expect(() => parseMailchimpApiKey('0123456789abcdef0123456789abcdef')).toThrow(
      /no data center suffix/,
    );
  });

  it('refuses what is not a key at all', () => {
    expect(() => parseMailchimpApiKey('hello-world')).toThrow(/not a Mailchimp API key/);
  });
});

describe('mailchimpBaseUrl and mailchimpAccountKey', () => {
  it('builds the data center host unless overridden', () => {
    expect(mailchimpBaseUrl('us6')).toBe('https://us6.api.mailchimp.com');
    expect(mailchimpBaseUrl('us6', 'http://127.0.0.1:4571/')).toBe('http://127.0.0.1:4571');
  });

  it('names the account, never the key', () => {
    expect(mailchimpAccountKey('us6', 'abc123')).toBe('mailchimp#us6#abc123');
  });
});
