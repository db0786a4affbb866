import {
  buildDirectoryIndex,
  createContactEnricher,
  DirectoryFormatError,
  EnrichmentError,
  InvalidColumnMappingError,
  type ContactEnricherOptions,
  type DirectoryIndex,
  type NicknameTable,
} from '@contacts/enrichment';
import { InputFileError, type Logger } from '@contacts/shared';
import {
  DirectoryIndexes,
  type DirectoryIndexesOptions,
} from './directory-index/directory-indexes.ts';
import { JobEnricherCache, type EnricherProvider } from './enricher-provider.ts';

/** Either the worker's shared directory indexes, or what to build them from. */
export type DirectoryEnricherDeps =
  { readonly indexes: DirectoryIndexes; readonly logger: Logger } | DirectoryIndexesOptions;

/**
 * Enrichers for jobs: the matching engine against the job's directory, or against none (rows
 * are still standardized, validated and labelled) when the job names no directory; then, when
 * the job asks a provider, its verified candidates for the rows left unmatched. Directory
 * indexes are built once per directory version (its ETag) and nickname table for the whole
 * fleet (see DirectoryIndexes), then shared by every chunk and job that uses them while they
 * fit the cache's byte budget.
 */
export function directoryEnricherProvider(deps: DirectoryEnricherDeps): EnricherProvider {
  const indexes = 'indexes' in deps ? deps.indexes : new DirectoryIndexes(deps);
  // Enrichers hold their directory's index: when the index cache lets one go, so do they.
  indexes.onDrop((cacheKey) => {
    enrichers.release(cacheKey);
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
      const nicknames = await indexes.nicknames();
      try {
        let directory: DirectoryIndex;
        let holds: string | undefined;
        if (directoryId === undefined) directory = emptyDirectory(nicknames.table);
        else {
          const version = await indexes.current(job.tenantId, directoryId);
          if (version === undefined) {
            throw new InputFileError(
              'directory_missing',
              `directory ${directoryId} does not exist`,
            );
          }
          ({ index: directory, cacheKey: holds } = await indexes.get(version, nicknames));
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
          nicknames: nicknames.table,
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
