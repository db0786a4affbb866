import { InputFileError, type Job } from '@contacts/shared';
import type { PipelineDeps } from '../pipeline-deps.ts';
import type { Audience } from './audience.ts';

/** The audience a Mailchimp job reads; a job without one, or a worker without Mailchimp, fails. */
export async function openAudience(deps: PipelineDeps, job: Job): Promise<Audience> {
  const source = job.source;
  if (source?.type !== 'mailchimp')
    throw new InputFileError('source_invalid', `job ${job.id} does not read a Mailchimp audience`);
  if (deps.audiences === undefined)
    throw new InputFileError(
      'mailchimp_not_configured',
      'Mailchimp is not configured on the workers',
    );
  return deps.audiences(job.tenantId, source, job.id);
}
