import {
  buildDirectoryIndex,
  createContactEnricher,
  createNicknameTable,
  DirectoryFormatError,
  EnrichmentError,
  InvalidColumnMappingError,
  loadDirectoryCsv,
  type DirectoryIndex,
  type ExplicitColumnMapping,
  type NicknameTable,
} from '@contacts/enrichment';
import {
  InputFileError,
  objectKeys,
  type Logger,
  type NicknameStore,
  type ObjectStore,
} from '@contacts/shared';
import { cachedEnricherProvider, type EnricherProvider } from './enricher-provider.ts';

export interface DirectoryEnricherDeps {
  readonly objects: ObjectStore;
  readonly nicknames: NicknameStore;
  readonly logger: Logger;
  /** How long the nickname table is trusted before it is read again. */
  readonly nicknameTtlMs?: number;
  /** Directory indexes kept in memory at once (each holds its whole directory). */
  readonly maxDirectories?: number;
}

/**
 * Enrichers for jobs: the matching engine against the job's directory, or against none (rows
 * are still standardized, validated and labelled) when the job names no directory. Directory indexes are built once per directory version (its ETag) and
 * nickname table, then shared by every chunk and job that uses them.
 */
export function directoryEnricherProvider(deps: DirectoryEnricherDeps): EnricherProvider {
  const nicknameTable = expiringValue(deps.nicknameTtlMs ?? 10 * 60_000, async () =>
    createNicknameTable(await deps.nicknames.loadPairs()),
  );
  const indexes = new Map<string, { nicknames: NicknameTable; index: Promise<DirectoryIndex> }>();
  const maxDirectories = deps.maxDirectories ?? 4;

  const directoryIndex = (
    key: string,
    etag: string,
    nicknames: NicknameTable,
  ): Promise<DirectoryIndex> => {
    const cacheKey = `${key}#${etag}`;
    const hit = indexes.get(cacheKey);
    if (hit?.nicknames === nicknames) return hit.index;
    const index = (async () => {
      const started = Date.now();
      const loaded = await loadDirectoryCsv(await deps.objects.read(key), { nicknames });
      deps.logger.info({ key, ms: Date.now() - started }, 'directory indexed');
      return loaded;
    })();
    index.catch(() => indexes.delete(cacheKey));
    indexes.set(cacheKey, { nicknames, index });
    if (indexes.size > maxDirectories) indexes.delete(indexes.keys().next().value!);
    return index;
  };

  // Jobs without a directory are still standardized and validated, against no one.
  const emptyDirectories = new WeakMap<NicknameTable, DirectoryIndex>();
  const emptyDirectory = (nicknames: NicknameTable): DirectoryIndex => {
    let index = emptyDirectories.get(nicknames);
    if (!index) emptyDirectories.set(nicknames, (index = buildDirectoryIndex([], { nicknames })));
    return index;
  };

  return cachedEnricherProvider(async (job) => {
    const { directoryId, columnMapping } = job.options;
    const nicknames = await nicknameTable();
    try {
      let directory: DirectoryIndex;
      if (directoryId === undefined) directory = emptyDirectory(nicknames);
      else {
        const key = objectKeys.directory({ tenantId: job.tenantId, id: directoryId });
        const info = await deps.objects.head(key);
        if (!info) {
          throw new InputFileError('directory_missing', `directory ${directoryId} does not exist`);
        }
        directory = await directoryIndex(key, info.etag, nicknames);
      }
      // The field names were only checked for shape by the API; the engine checks them for real.
      const options =
        columnMapping === undefined
          ? {}
          : { columnMapping: columnMapping as ExplicitColumnMapping };
      return createContactEnricher({ inputColumns: job.columns, directory, nicknames, options });
    } catch (error) {
      if (error instanceof DirectoryFormatError) {
        throw new InputFileError(
          'directory_invalid',
          `directory ${directoryId ?? ''}: ${error.message}`,
          { cause: error },
        );
      }
      // No usable name, email or phone column (the message lists the headers seen), or a
      // column mapping naming unknown fields or headers.
      if (error instanceof InvalidColumnMappingError) {
        throw new InputFileError('column_mapping_invalid', error.message, { cause: error });
      }
      if (error instanceof EnrichmentError) {
        throw new InputFileError('columns_unrecognized', error.message, { cause: error });
      }
      throw error;
    }
  });
}

/** A lazily loaded value that is loaded again once `ttlMs` has passed. */
function expiringValue<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (cached === undefined || Date.now() - cached.at > ttlMs) {
      const value = load();
      value.catch(() => {
        cached = undefined;
      });
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
}
