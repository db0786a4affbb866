/**
 * The job error codes of docs/operations.md#job-error-codes, said plainly, with what to do.
 * The API's own message follows as the detail.
 */
const SENTENCES: Readonly<Record<string, string>> = {
  file_empty: 'The file is empty.',
  file_binary: 'This is not a text file; save the contacts as CSV and try again.',
  encoding_invalid: 'The file’s text encoding is broken; save it again as UTF-8.',
  encoding_mixed: 'The header mixes text encodings; save the file again as UTF-8.',
  header_missing: 'The file has no header row naming its columns.',
  header_invalid: 'The header row could not be read.',
  header_too_long: 'The header row is too long.',
  header_too_wide: 'The file has too many columns.',
  unbalanced_quote: 'A quote is opened and never closed, so the rows after it cannot be read.',
  csv_malformed: 'The file is not well-formed CSV.',
  columns_unrecognized: 'No name, email or phone column was found; map the columns and try again.',
  column_mapping_invalid: 'The column mapping names a column the file does not have.',
  too_many_rejected_rows:
    'Too many rows were rejected, more than the tolerated share; the rejects file says why each was.',
  provider_unauthorized:
    'The data provider refused the service’s API key; ask the operator to fix it.',
  provider_not_configured: 'The chosen data provider is not set up on this service.',
  too_many_chunks: 'The file has too many very large rows to be split.',
  upload_changed:
    'The file was uploaded again after the job started; start a new job for the new file.',
  mailchimp_unauthorized:
    'Mailchimp refused the connection’s API key; connect the account again with a valid key.',
  mailchimp_list_not_found: 'Mailchimp has no audience with that id in this account.',
  mailchimp_not_configured: 'Mailchimp imports are not set up on this service.',
  mailchimp_bad_response:
    'Mailchimp answered a page of the audience with something that is not a page of members.',
  audience_too_large: 'The Mailchimp audience is larger than one job can import.',
  connection_not_found: 'The Mailchimp connection no longer exists; connect the account again.',
  directory_invalid:
    'The directory cannot be used: it needs an id column and a name, email or phone column.',
  directory_missing: 'The chosen directory was not uploaded (or was removed).',
  stalled: 'The job stopped making progress and could not be repaired; submit it again.',
  processing_failed: 'A step of the job failed repeatedly; try again later or ask the operator.',
  file_too_large: 'The file is larger than this service accepts.',
  upload_failed: 'The upload did not complete; try again.',
};

/** A failed job's reason for people; unknown codes fall back to the API's message. */
export function describeJobError(error: { code: string; message: string }): string {
  return SENTENCES[error.code] ?? 'The job failed.';
}
