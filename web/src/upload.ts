import {
  problemError,
  type ApiClient,
  type JobOptions,
  type JobView,
  type UploadInstructions,
} from './api-client.ts';

/** Fraction of the file sent so far, 0–1. */
export type OnUploadProgress = (fraction: number) => void;

/** The S3 leg of the presigned upload failed; the API upload may still serve. */
export class StorageUploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUploadError';
  }
}

/**
 * Uploads a file and starts its job. First straight to S3 with the presigned POST (the bytes
 * never pass through the API); where that cannot serve — a bucket without CORS, or the local
 * emulator's 11 MiB body limit — through the API upload route, which streams it to S3 itself.
 */
export async function uploadAndStart(
  api: ApiClient,
  file: File,
  options: JobOptions,
  onProgress: OnUploadProgress,
): Promise<{ job: JobView; via: 'storage' | 'api' }> {
  const created = await api.createJob(file.name, options);
  try {
    await sendToStorage(created.upload, file, onProgress);
  } catch (error) {
    if (!(error instanceof StorageUploadError)) throw error;
    // The waiting job would never start: cancel it so the history does not keep it open.
    await api.cancelJob(created.id).catch(() => undefined);
    onProgress(0);
    return { job: await sendToApi(api, file, options, onProgress), via: 'api' };
  }
  return { job: await api.startJob(created.id), via: 'storage' };
}

function sendToStorage(
  upload: UploadInstructions,
  file: File,
  onProgress: OnUploadProgress,
): Promise<void> {
  if (upload.method !== 'POST')
    return Promise.reject(new StorageUploadError(`unexpected ${upload.method} upload`));
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields ?? {})) form.append(name, value);
  // S3 reads the policy fields first: the file must be the last field.
  form.append('file', file, file.name);
  return send({ method: 'POST', url: upload.url, body: form, onProgress }).then(
    ({ status, text }) => {
      if (status < 200 || status >= 300)
        throw new StorageUploadError(`storage answered ${status}: ${text.slice(0, 200)}`);
    },
  );
}

async function sendToApi(
  api: ApiClient,
  file: File,
  options: JobOptions,
  onProgress: OnUploadProgress,
): Promise<JobView> {
  const { status, text } = await send({
    method: 'POST',
    url: api.directUploadUrl(file.name, options),
    body: file,
    headers: { Authorization: api.authorization, 'Content-Type': 'text/csv' },
    onProgress,
  }).catch((error: unknown) => {
    throw new Error(`the upload to the API failed: ${(error as Error).message}`);
  });
  if (status !== 202) throw problemError(status, text);
  return JSON.parse(text) as JobView;
}

/** One XHR request: unlike fetch, it reports upload progress. */
function send(request: {
  method: string;
  url: string;
  body: XMLHttpRequestBodyInit;
  headers?: Record<string, string>;
  onProgress: OnUploadProgress;
}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers ?? {}))
      xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) request.onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) request.onProgress(1);
      resolve({ status: xhr.status, text: xhr.responseText });
    });
    // Network failures, refused CORS and cut connections all look alike to a page.
    xhr.addEventListener('error', () => {
      reject(
        new StorageUploadError(
          `the request to ${new URL(request.url, location.href).origin} failed`,
        ),
      );
    });
    xhr.addEventListener('abort', () => {
      reject(new StorageUploadError('the upload was aborted'));
    });
    xhr.send(request.body);
  });
}
