import type { DirectoryIndexMessage, Logger, MessagePublisher } from '@contacts/shared';

/** Versions remembered as announced; older ones may be announced again (harmless). */
const REMEMBERED_VERSIONS = 10_000;

/**
 * Asks the workers to build a directory version's index as soon as the api finds it `ready`
 * (streamed, or checked after a signed upload), so the first job does not wait for the build.
 * Once per version per api process: a client polling GET /v1/directories/{id} sends one
 * message, not one per poll. A send that fails is only logged: the first job that needs the
 * index builds it anyway.
 */
export class DirectoryIndexAnnouncer {
  readonly #publisher: Pick<MessagePublisher, 'sendDirectoryIndex'>;
  readonly #logger: Logger;
  readonly #announced = new Set<string>();

  constructor(options: {
    publisher: Pick<MessagePublisher, 'sendDirectoryIndex'>;
    logger: Logger;
  }) {
    this.#publisher = options.publisher;
    this.#logger = options.logger;
  }

  async announce(version: { tenantId: string; directoryId: string; etag: string }): Promise<void> {
    const id = `${version.tenantId}/${version.directoryId}/${version.etag}`;
    if (this.#announced.has(id)) return;
    this.#announced.add(id);
    if (this.#announced.size > REMEMBERED_VERSIONS) {
      const oldest = this.#announced.values().next();
      if (oldest.done !== true) this.#announced.delete(oldest.value);
    }
    const message: DirectoryIndexMessage = { type: 'directory.index', v: 1, ...version };
    try {
      await this.#publisher.sendDirectoryIndex(message);
    } catch (error) {
      this.#announced.delete(id);
      this.#logger.warn(
        { err: error, directoryId: version.directoryId },
        'could not ask for the directory index build; the first job builds it',
      );
    }
  }
}
