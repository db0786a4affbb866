import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createNicknameTable,
  INDEX_ARTIFACT_VERSION,
  loadDirectoryCsv,
  loadDirectoryIndexArtifact,
  directoryIndexArtifactChunks,
  type DirectoryIndex,
  type NicknameTable,
} from '@contacts/enrichment';
import {
  ObjectChangedError,
  objectKeys,
  type DirectoryIndexLeases,
  type Logger,
  type NicknameStore,
  type ObjectInfo,
  type ObjectStore,
} from '@contacts/shared';
import { ByteBudgetCache } from '../byte-budget-cache.ts';
import { DeferDeliveryError } from '../queue/message-handler.ts';
import { nicknameFingerprint } from './nickname-fingerprint.ts';

/** Default budget of the directory index cache (ENRICHER_CACHE_MAX_MB's default). */
export const DEFAULT_INDEX_CACHE_BYTES = 512 * 1024 * 1024;
const DEFAULT_LEASE_MS = 120_000;
const DEFAULT_MAX_WAIT_MS = 900_000;
/**
 * A waiter looks for the artifact this often at first, then less often, up to the cap. The cap
 * is what a waiting worker may sit idle after the build is done (a HEAD and a refused claim a
 * look): at 5 s, the workers of a write-back job of 100,000 members waited about 2 s for an
 * index built in 4–5 s.
 */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 1_000;

/** One version of a tenant's directory: its CSV object and the ETag that version has. */
export interface DirectoryVersion {
  readonly tenantId: string;
  readonly directoryId: string;
  /** The CSV's key. */
  readonly key: string;
  readonly etag: string;
}

/** The nickname table in use, and the fingerprint that names it in artifact keys. */
export interface NicknameVersion {
  readonly table: NicknameTable;
  readonly fingerprint: string;
}

/** Builds an index from a directory CSV (the default reads it with loadDirectoryCsv). */
export type IndexBuilder = (
  csv: Readable,
  options: { readonly nicknames: NicknameTable },
) => Promise<DirectoryIndex>;

export interface DirectoryIndexesOptions {
  readonly objects: Pick<ObjectStore, 'head' | 'read' | 'upload'>;
  readonly nicknames: Pick<NicknameStore, 'loadPairs'>;
  readonly leases: Pick<DirectoryIndexLeases, 'claim' | 'renew' | 'release'>;
  readonly logger: Logger;
  /** How long the nickname table is trusted before it is read again. */
  readonly nicknameTtlMs?: number;
  /** Estimated bytes of indexes kept in memory at once, least recently used out. */
  readonly maxIndexBytes?: number;
  /** A build's lease, renewed every third of it (DIRECTORY_INDEX_LEASE_SECONDS). */
  readonly leaseMs?: number;
  /** Longest wait for another worker's build before the delivery is deferred. */
  readonly maxWaitMs?: number;
  readonly buildIndex?: IndexBuilder;
  /** Told of every build from the CSV, before it starts (tests count them). */
  readonly onBuild?: (artifactKey: string) => void;
}

/** What `prepare` found: an artifact already there, one it built, or another worker's build. */
export type PrepareOutcome = 'present' | 'built' | 'held';

type Loaded = { readonly index: DirectoryIndex; readonly artifactBytes: number };

/**
 * A worker's directory indexes. Each directory version is indexed once for the whole fleet: the
 * first worker that needs it takes a build lease, builds it from the CSV and stores the index
 * artifact in S3; every other worker loads that artifact, waiting for the build when it is
 * under way. Loaded indexes are kept in a byte-budgeted LRU shared by every chunk and job.
 */
export class DirectoryIndexes {
  readonly #options: DirectoryIndexesOptions;
  readonly #cache: ByteBudgetCache<DirectoryIndex>;
  readonly #dropListeners: ((cacheKey: string) => void)[] = [];
  readonly #maxIndexBytes: number;
  readonly #leaseMs: number;
  readonly #maxWaitMs: number;
  readonly #build: IndexBuilder;
  readonly #nicknames: () => Promise<NicknameVersion>;
  readonly #closed = new AbortController();

  constructor(options: DirectoryIndexesOptions) {
    this.#options = options;
    this.#maxIndexBytes = options.maxIndexBytes ?? DEFAULT_INDEX_CACHE_BYTES;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.#build = options.buildIndex ?? loadDirectoryCsv;
    this.#cache = new ByteBudgetCache<DirectoryIndex>({
      maxBytes: this.#maxIndexBytes,
      onDrop: (cacheKey) => {
        for (const listener of this.#dropListeners) listener(cacheKey);
      },
    });
    this.#nicknames = expiringValue(options.nicknameTtlMs ?? 10 * 60_000, async () => {
      const pairs = await options.nicknames.loadPairs();
      return { table: createNicknameTable(pairs), fingerprint: nicknameFingerprint(pairs) };
    });
  }

  /** The nickname table in use (read again once its time is up). */
  nicknames(): Promise<NicknameVersion> {
    return this.#nicknames();
  }

  /** Calls `listener` with the cache key of every index the cache lets go. */
  onDrop(listener: (cacheKey: string) => void): void {
    this.#dropListeners.push(listener);
  }

  /** True while the index of `cacheKey` is kept (and marks it used). */
  touch(cacheKey: string): boolean {
    return this.#cache.touch(cacheKey);
  }

  /** The current version of a tenant's directory; undefined when it does not exist. */
  async current(tenantId: string, directoryId: string): Promise<DirectoryVersion | undefined> {
    const key = objectKeys.directory({ tenantId, id: directoryId });
    const info = await this.#options.objects.head(key);
    return info === undefined ? undefined : { tenantId, directoryId, key, etag: info.etag };
  }

  /** The artifact key of a directory version indexed with `nicknames`: also its cache key. */
  artifactKey(version: DirectoryVersion, nicknames: NicknameVersion): string {
    return objectKeys.directoryIndex({
      tenantId: version.tenantId,
      id: version.directoryId,
      etag: version.etag,
      nicknameFingerprint: nicknames.fingerprint,
      format: INDEX_ARTIFACT_VERSION,
    });
  }

  /**
   * The index of a directory version: kept, else loaded from its artifact, else built (and its
   * artifact stored) under the build lease, else waited for while another worker builds it.
   * Throws DeferDeliveryError when that build outlasts the wait.
   */
  async get(
    version: DirectoryVersion,
    nicknames: NicknameVersion,
  ): Promise<{ index: DirectoryIndex; cacheKey: string }> {
    const cacheKey = this.artifactKey(version, nicknames);
    const index = await this.#cache.get(cacheKey, async () => {
      const loaded = await this.#obtain(version, cacheKey, nicknames);
      return { value: loaded.index, bytes: this.#cacheBytes(cacheKey, loaded) };
    });
    return { index, cacheKey };
  }

  /**
   * Makes sure the artifact of a directory version exists, ahead of the jobs that will need it:
   * builds it unless it is there or another worker is building it. An artifact already there is
   * not read (a corrupt one is rebuilt by the first job that loads it).
   */
  async prepare(version: DirectoryVersion): Promise<PrepareOutcome> {
    const nicknames = await this.#nicknames();
    const key = this.artifactKey(version, nicknames);
    if (this.#cache.touch(key) || (await this.#options.objects.head(key)) !== undefined)
      return 'present';
    const holder = randomUUID();
    const claim = await this.#options.leases.claim(key, holder, this.#leaseMs);
    if (!claim.claimed) return 'held';
    const loaded = await this.#underLease(key, holder, async () =>
      // Written by a builder that gave its lease back between our look and our claim.
      (await this.#options.objects.head(key)) === undefined
        ? this.#buildAndStore(version, key, nicknames)
        : undefined,
    );
    if (loaded === undefined) return 'present';
    // This worker may run the directory's first chunks: keep what it just built.
    await this.#cache.get(key, () =>
      Promise.resolve({ value: loaded.index, bytes: this.#cacheBytes(key, loaded) }),
    );
    return 'built';
  }

  /** Ends waits for other workers' builds (the worker is stopping). */
  close(): void {
    this.#closed.abort(new Error('directory indexes closed'));
  }

  async #obtain(
    version: DirectoryVersion,
    key: string,
    nicknames: NicknameVersion,
  ): Promise<Loaded> {
    const deadline = Date.now() + this.#maxWaitMs;
    // The ETag of an artifact found unusable: waited past until it is overwritten.
    let unusable: string | undefined;
    for (let polls = 0; ; polls++) {
      this.#closed.signal.throwIfAborted();
      const found = await this.#loadIfUsable(key, nicknames, unusable);
      if (found.loaded !== undefined) return found.loaded;
      unusable = found.unusable;
      const holder = randomUUID();
      const claim = await this.#options.leases.claim(key, holder, this.#leaseMs);
      if (claim.claimed) {
        return this.#underLease(key, holder, async () => {
          // Another builder may have finished between our look and our claim (it writes the
          // artifact before it gives the lease back).
          const late = await this.#loadIfUsable(key, nicknames, unusable);
          return late.loaded ?? this.#buildAndStore(version, key, nicknames);
        });
      }
      const now = Date.now();
      if (now >= deadline) {
        throw new DeferDeliveryError(
          `directory index ${key} is still being built by another worker; chunk deferred`,
          { retryAfterSeconds: Math.max(1, Math.ceil((claim.leaseUntil - now) / 1000)) },
        );
      }
      if (polls === 0)
        this.#options.logger.info(
          { key },
          'directory index being built by another worker: waiting',
        );
      const pauseMs = Math.min(FIRST_POLL_MS * 2 ** polls, MAX_POLL_MS, deadline - now);
      // Aborted by close(): its reason says why, not a bare AbortError.
      await sleep(Math.max(1, pauseMs), undefined, { signal: this.#closed.signal }).catch(() => {
        this.#closed.signal.throwIfAborted();
      });
    }
  }

  /**
   * The artifact at `key`, loaded, unless it is missing or is the one already found unusable.
   * One that does not load (corrupt, another format) is reported by its ETag, to be rebuilt.
   */
  async #loadIfUsable(
    key: string,
    nicknames: NicknameVersion,
    unusable: string | undefined,
  ): Promise<{ loaded?: Loaded; unusable?: string | undefined }> {
    const info = await this.#options.objects.head(key);
    if (info === undefined || info.etag === unusable) return { unusable };
    const started = Date.now();
    let bytes: Buffer;
    try {
      bytes = await this.#readAll(key, info);
    } catch (error) {
      // Overwritten since the HEAD (a rebuild): look again.
      if (error instanceof ObjectChangedError) return { unusable };
      throw error;
    }
    try {
      const index = loadDirectoryIndexArtifact(bytes, { nicknames: nicknames.table });
      this.#options.logger.info(
        { key, ms: Date.now() - started, bytes: bytes.length },
        'directory index loaded',
      );
      return { loaded: { index, artifactBytes: bytes.length } };
    } catch (error) {
      // Whatever the reason (IndexArtifactVersionError, a truncated write), building again is
      // the cure, and the build overwrites it.
      this.#options.logger.warn(
        { key, err: error, bytes: bytes.length },
        'directory index artifact unusable: it is built again',
      );
      return { unusable: info.etag };
    }
  }

  /**
   * The whole artifact in one buffer of its announced size, filled chunk by chunk: the peak is
   * the artifact once, not its chunks plus their concatenation. Its own allocation (offset 0),
   * so a loader may view typed arrays over it in place.
   */
  async #readAll(key: string, info: ObjectInfo): Promise<Buffer> {
    const body = await this.#options.objects.read(key, { ifMatch: info.etag });
    const bytes = Buffer.allocUnsafeSlow(info.size);
    let at = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (at + chunk.length > bytes.length) throw new ObjectChangedError(key);
      bytes.set(chunk, at);
      at += chunk.length;
    }
    if (at !== bytes.length) throw new ObjectChangedError(key);
    return bytes;
  }

  /** Builds the index from the CSV version, stores its artifact and returns both. */
  async #buildAndStore(
    version: DirectoryVersion,
    key: string,
    nicknames: NicknameVersion,
  ): Promise<Loaded> {
    this.#options.onBuild?.(key);
    const started = Date.now();
    // Pinned: a directory replaced meanwhile is a new version, with its own artifact key.
    const csv = await this.#options.objects.read(version.key, { ifMatch: version.etag });
    const index = await this.#build(csv, { nicknames: nicknames.table });
    const builtMs = Date.now() - started;
    // Streamed section by section: the builder never holds a second, serialized copy.
    const artifact = directoryIndexArtifactChunks(index);
    this.#closed.signal.throwIfAborted();
    await this.#options.objects.upload(key, Readable.from(artifact.chunks()), {
      contentType: 'application/octet-stream',
    });
    this.#options.logger.info(
      { key, ms: Date.now() - started, buildMs: builtMs, bytes: artifact.byteLength },
      'directory index built',
    );
    return { index, artifactBytes: artifact.byteLength };
  }

  /** Runs `work` holding the build lease of `key`: renewed meanwhile, given back after. */
  async #underLease<T>(key: string, holder: string, work: () => Promise<T>): Promise<T> {
    const { leases, logger } = this.#options;
    const renewal = setInterval(() => {
      leases.renew(key, holder, this.#leaseMs).then(
        (held) => {
          // Lapsed (the event loop was blocked past the lease) and taken: the other builder
          // writes the same artifact, so this build still finishes.
          if (!held) logger.warn({ key }, 'directory index build lease taken over');
        },
        (error: unknown) => {
          logger.warn({ key, err: error }, 'directory index build lease not renewed');
        },
      );
    }, this.#leaseMs / 3);
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await leases.release(key, holder).catch((error: unknown) => {
        logger.warn({ key, err: error }, 'could not give the index build lease back; it expires');
      });
    }
  }

  #cacheBytes(key: string, loaded: Loaded): number {
    // The columnar index counts its own typed arrays and strings (docs/directories.md).
    const bytes = loaded.index.heapBytes;
    if (bytes > this.#maxIndexBytes) {
      this.#options.logger.warn(
        { key, estimatedBytes: bytes, maxIndexBytes: this.#maxIndexBytes },
        'directory index larger than the whole cache: it is loaded again for each chunk',
      );
    }
    return bytes;
  }
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
