import './style.css';
import { ApiClient, ApiError, type JobOptions, type JobView } from './api-client.ts';
import { byId } from './dom.ts';
import {
  columnMappingOption,
  mappingProblems,
  previewFile,
  type ChosenFile,
} from './file-preview.ts';
import { JobPanel } from './job-panel.ts';
import { watchJob } from './job-watch.ts';
import { renderDirectoryField, renderHistory } from './lists.ts';
import { summarizeResult } from './result-summary.ts';
import { uploadAndStart } from './upload.ts';

const KEY_STORAGE = 'contact-enricher.api-key';

const keyInput = byId('api-key', HTMLInputElement);
const fileInput = byId('csv-file', HTMLInputElement);
const submit = byId('submit', HTMLButtonElement);
const message = byId('message');
const api = new ApiClient(() => keyInput.value.trim());
const panel = new JobPanel();
let chosen: ChosenFile | undefined;
let current: { id: string; stop: AbortController } | undefined;

keyInput.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
keyInput.addEventListener('change', () => {
  sessionStorage.setItem(KEY_STORAGE, keyInput.value.trim());
  void refreshLists();
});

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void choose(file);
});
wireDropZone(byId('drop-zone'));

byId('job-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
byId('cancel').addEventListener('click', () => {
  void cancel();
});
byId('history-refresh').addEventListener('click', () => {
  void refreshLists();
});
void refreshLists();

/** The lists need the key: without one the page asks nothing and offers a directory id field. */
async function refreshLists(): Promise<void> {
  const known = keyInput.value.trim() !== '';
  await Promise.all([
    known ? renderHistory(api) : undefined,
    renderDirectoryField(known ? api : undefined),
  ]);
}

async function choose(file: File): Promise<void> {
  say('');
  chosen = await previewFile(file, (updated) => mappingProblems(updated)).catch(
    (error: unknown) => {
      say(`The file could not be read: ${(error as Error).message}`);
      return undefined;
    },
  );
}

/** Upload, start, follow, summarize: the page's main path. */
async function run(): Promise<void> {
  const problem = readyProblem();
  if (problem !== undefined) {
    say(problem);
    return;
  }
  const file = chosen!.file;
  submit.disabled = true;
  say('');
  panel.reset(file.name);
  try {
    const options = jobOptions(chosen!);
    const { job, via } = await uploadAndStart(api, file, options, (fraction) => {
      panel.uploadProgress(fraction, file.size);
    });
    panel.uploadDone(via);
    panel.show(job);
    const stop = new AbortController();
    current = { id: job.id, stop };
    const final = await watchJob(api, job.id, {
      onView: (view) => {
        panel.show(view);
      },
      onChannel: (channel) => {
        panel.channel(channel);
      },
      signal: stop.signal,
    });
    panel.show(final);
    await summarize(final);
  } catch (error) {
    say(describe(error));
  } finally {
    submit.disabled = false;
    current = undefined;
    void refreshLists();
  }
}

function readyProblem(): string | undefined {
  if (keyInput.value.trim() === '') return 'Enter your API key first.';
  if (chosen === undefined) return 'Choose a CSV file first.';
  if (mappingProblems(chosen).length > 0) return 'Fix the column mapping first.';
  const region = byId('region', HTMLInputElement).value.trim();
  if (region !== '' && !/^[A-Za-z]{2}$/.test(region))
    return 'The phone region is a two-letter country code, like GB.';
  const tolerated = byId('tolerated', HTMLInputElement);
  if (!tolerated.validity.valid) return 'Tolerated rejects is a percentage between 0 and 100.';
  return undefined;
}

function jobOptions(file: ChosenFile): JobOptions {
  const directoryId = byId<HTMLInputElement | HTMLSelectElement>('directory').value.trim();
  const provider = byId('provider', HTMLSelectElement).value;
  const region = byId('region', HTMLInputElement).value.trim().toUpperCase();
  const tolerated = byId('tolerated', HTMLInputElement).value;
  const columnMapping = columnMappingOption(file);
  return {
    ...(directoryId === '' ? {} : { directoryId }),
    ...(provider === '' ? {} : { provider }),
    ...(region === '' ? {} : { region }),
    ...(tolerated === '' ? {} : { toleratedRejectPercent: Number(tolerated) }),
    ...(columnMapping === undefined ? {} : { columnMapping }),
  };
}

async function summarize(view: JobView): Promise<void> {
  if (view.status !== 'completed' || !view.result?.url) return;
  try {
    panel.summary(await summarizeResult(view.result.url));
  } catch (error) {
    panel.summaryUnavailable((error as Error).message);
  }
}

async function cancel(): Promise<void> {
  if (current === undefined) return;
  try {
    panel.show(await api.cancelJob(current.id));
  } catch (error) {
    say(describe(error));
  }
}

function wireDropZone(zone: HTMLElement): void {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => {
    zone.classList.remove('over');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const files = event.dataTransfer?.files;
    const file = files?.[0];
    if (files === undefined || file === undefined) return;
    fileInput.files = files;
    void choose(file);
  });
}

function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'The API key was refused; check it and try again.';
    return `The service refused this (${error.code}): ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function say(text: string): void {
  message.textContent = text;
}
