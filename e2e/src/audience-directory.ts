/**
 * A directory CSV that knows every member of a Mailchimp audience, each with a newer
 * `updated_at`, so a write-back job sends whatever the directory says differently: the company
 * `companyOf(i)` gives member i, or the member's own when it gives undefined.
 */
export function audienceDirectoryCsv(
  members: readonly { readonly email: string; readonly mergeFields: object }[],
  companyOf: (index: number) => string | undefined,
): string {
  const lines = ['id,first_name,last_name,email,phone,company,title,city,updated_at'];
  members.forEach((member, i) => {
    const fields = member.mergeFields as Record<string, unknown>;
    const company = companyOf(i) ?? text(fields.COMPANY);
    const row = [`d${i}`, text(fields.FNAME), text(fields.LNAME), member.email, '', company];
    lines.push([...row, '', '', '2030-01-01'].join(','));
  });
  return lines.join('\n');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
