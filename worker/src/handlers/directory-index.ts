import { DirectoryFormatError } from '@contacts/enrichment';
import { ObjectChangedError, type DirectoryIndexMessage } from '@contacts/shared';
import type { PipelineDeps } from '../pipeline-deps.ts';
import type { DeliveryContext } from '../queue/consumer.ts';

/**
 * A directory version was accepted: builds its index artifact now, so the first job finds it
 * ready. Only that version (the ETag the api checked): a directory replaced since is a new
 * version, announced on its own. Nothing here is a job's: a build that cannot succeed is left
 * to the jobs, which report why (directory_invalid) when they build it themselves.
 */
export async function handleDirectoryIndex(
  deps: PipelineDeps,
  message: DirectoryIndexMessage,
  context: DeliveryContext,
): Promise<void> {
  const indexes = deps.directoryIndexes;
  if (indexes === undefined) {
    context.logger.info('directory index not prepared: this worker builds indexes on demand');
    return;
  }
  const version = await indexes.current(message.tenantId, message.directoryId);
  if (version?.etag !== message.etag) {
    context.logger.info('directory index not prepared: the directory changed or is gone');
    return;
  }
  try {
    const outcome = await indexes.prepare(version);
    context.logger.info({ outcome }, 'directory index prepared');
  } catch (error) {
    if (error instanceof ObjectChangedError || error instanceof DirectoryFormatError) {
      context.logger.warn({ err: error }, 'directory index not prepared');
      return;
    }
    throw error;
  }
}
