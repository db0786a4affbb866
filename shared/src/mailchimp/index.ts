export {
  mailchimpAccountKey,
  mailchimpBaseUrl,
  mailchimpKeyDigest,
  MailchimpKeyFormatError,
  parseMailchimpApiKey,
  type MailchimpApiKey,
} from './api-key.ts';
export {
  createMailchimpClient,
  DEFAULT_MAILCHIMP_TIMEOUT_MS,
  MAILCHIMP_MAX_BATCH_MEMBERS,
  MAILCHIMP_MAX_PAGE_SIZE,
  parseMembersPage,
  type MailchimpBatchError,
  type MailchimpBatchResult,
  type MailchimpClient,
  type MailchimpClientOptions,
  type MailchimpList,
  type MailchimpMember,
  type MailchimpMembersPage,
  type MailchimpUpsertMember,
  type MembersPageRequest,
} from './mailchimp-client.ts';
export {
  MailchimpAuthError,
  MailchimpError,
  MailchimpNotFoundError,
  MailchimpRateLimitedError,
  MailchimpRequestError,
  MailchimpResponseError,
  MailchimpUnavailableError,
  type MailchimpProblemInfo,
} from './mailchimp-errors.ts';
export { MailchimpConnectionPools } from './connection-pools.ts';
export { MAILCHIMP_MAX_CONNECTIONS, MailchimpLimiters } from './mailchimp-limiters.ts';
