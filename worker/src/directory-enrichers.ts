import {
  buildDirectoryIndex,
  createContactEnricher,
  createNicknameTable,
  DirectoryFormatError,
  EnrichmentError,
  InvalidColumnMappingError,
  loadDirectoryCsv,
  type ContactEnricherOptions,
  type DirectoryIndex,
  type NicknameTable,
} from '@contacts/enrichment';
import {
  InputFileError,
  objectKeys,
  type Logger,
  type NicknameStore,
  type ObjectStore,
} from '@contacts/shared';
import { ByteBudgetCache } from './byte-budget-cache.ts';
import { JobEnricherCache, type EnricherProvider } from './enricher-provider.ts';

/**
 * Heap bytes a directory index takes per byte of its CSV. Measured (heap after GC, Node 24) on
 * directories of 30,000 and 120,000 people: 13.4–13.8 with every standard column filled, 16.6
 * with names only; columns the index does not keep lower it (3.1 with a 300-character notes
 * column), so the estimate errs on the side of keeping fewer indexes.
 */
export const INDEX_BYTES_PER_CSV_BYTE = 17;

/** What keeping the index of a directory CSV of `csvBytes` is estimated to cost. */
export function estimateIndexBytes(csvBytes: number): number {
  return csvBytes * INDEX_BYTES_PER_CSV_BYTE;
}

/** Default budget of the directory index cache (ENRICHER_CACHE_MAX_MB's default). */
export const DEFAULT_INDEX_CACHE_BYTES = 512 * 1024 * 1024;

export interface DirectoryEnricherDeps {
  readonly objects: ObjectStore;
  readonly nicknames: NicknameStore;
  readonly logger: Logger;
  /** How long the nickname table is trusted before it is read again. */
  readonly nicknameTtlMs?: number;
  /**
   * Estimated bytes of directory indexes kept in memory at once, least recently used out; an
   * index larger than this is used by the chunk that loaded it and not kept.
   */
  readonly maxIndexBytes?: number;
}

/**
 * Enrichers for jobs: the matching engine against the job's directory, or against none (rows
 * are still standardized, validated and labelled) when the job names no directory; then, when
 * the job asks a provider, its verified candidates for the rows left unmatched. Directory
 * indexes are built once per directory version (its ETag) and nickname table, then shared by
 * every chunk and job that uses them while they fit the cache's byte budget.
 */
export function directoryEnricherProvider(deps: DirectoryEnricherDeps): EnricherProvider {
  const nicknameTable = expiringValue(deps.nicknameTtlMs ?? 10 * 60_000, async () =>
    createNicknameTable(await deps.nicknames.loadPairs()),
  );
  const maxIndexBytes = deps.maxIndexBytes ?? DEFAULT_INDEX_CACHE_BYTES;
  // Enrichers hold their directory's index: when the index cache lets one go, so do they.
  const indexes = new ByteBudgetCache<DirectoryIndex>({
    maxBytes: maxIndexBytes,
    onDrop: (cacheKey) => {
      enrichers.release(cacheKey);
    },
  });
  const nicknameVersions = new WeakMap<NicknameTable, number>();
  let nicknameVersion = 0;

  /** The cache key of a directory version indexed with one nickname table. */
  const indexKey = (key: string, etag: string, nicknames: NicknameTable): string => {
    let version = nicknameVersions.get(nicknames);
    if (version === undefined) nicknameVersions.set(nicknames, (version = ++nicknameVersion));
    return `${key}#${etag}#${version}`;
  };

  const directoryIndex = (
    cacheKey: string,
    key: string,
    info: { etag: string; size: number },
    nicknames: NicknameTable,
  ): Promise<DirectoryIndex> =>
    indexes.get(cacheKey, async () => {
      const started = Date.now();
      // Pinned: a directory replaced meanwhile is a new version, indexed under its own key.
      const index = await loadDirectoryCsv(await deps.objects.read(key, { ifMatch: info.etag }), {
        nicknames,
      });
      // The index's own estimate of what it holds (columnar: about 0.5 KB per person).
      const bytes = index.heapBytes;
      if (bytes > maxIndexBytes) {
        deps.logger.warn(
          { key, estimatedBytes: bytes, maxIndexBytes },
          'directory index larger than the whole cache: it is indexed again for each chunk',
        );
      }
      deps.logger.info(
        { key, ms: Date.now() - started, estimatedBytes: bytes },
        'directory indexed',
      );
      return { value: index, bytes };
    });

  // Jobs without a directory are still standardized and validated, against no one.
  const emptyDirectories = new WeakMap<NicknameTable, DirectoryIndex>();
  const emptyDirectory = (nicknames: NicknameTable): DirectoryIndex => {
    let index = emptyDirectories.get(nicknames);
    if (!index) emptyDirectories.set(nicknames, (index = buildDirectoryIndex([], { nicknames })));
    return index;
  };

  const enrichers = new JobEnricherCache(
    async (job) => {
      const { directoryId, columnMapping } = job.options;
      const nicknames = await nicknameTable();
      try {
        let directory: DirectoryIndex;
        let holds: string | undefined;
        if (directoryId === undefined) directory = emptyDirectory(nicknames);
        else {
          const key = objectKeys.directory({ tenantId: job.tenantId, id: directoryId });
          const info = await deps.objects.head(key);
          if (!info) {
            throw new InputFileError(
              'directory_missing',
              `directory ${directoryId} does not exist`,
            );
          }
          holds = indexKey(key, info.etag, nicknames);
          directory = await directoryIndex(holds, key, info, nicknames);
        }
        const { region, output } = job.options;
        const options: ContactEnricherOptions = {
          // The field names were only checked for shape by the API; the engine checks them.
          ...(columnMapping === undefined ? {} : { columnMapping }),
          ...(region === undefined ? {} : { defaultRegion: region }),
          ...(output === undefined ? {} : { output }),
        };
        const enricher = createContactEnricher({
          inputColumns: job.columns,
          directory,
          nicknames,
          options,
          // Rows the directory leaves unmatched are looked up there (see handlers/chunk.ts).
          ...(job.options.provider === undefined ? {} : { provider: job.options.provider }),
        });
        return holds === undefined ? { enricher } : { enricher, holds };
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
    },
    { isKept: (cacheKey) => indexes.touch(cacheKey) },
  );
  return enrichers.provider;
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
