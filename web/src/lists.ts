import type { ApiClient, DirectoryItem, JobView } from './api-client.ts';
import { byId, el, table } from './dom.ts';

const HISTORY_SIZE = 10;

/**
 * The recent jobs of this key (`GET /v1/jobs`), newest first, with their status and links.
 * Hidden when the API has no list route.
 */
export async function renderHistory(api: ApiClient): Promise<void> {
  const page = await api.listJobs(HISTORY_SIZE).catch(() => undefined);
  const section = byId('history');
  section.hidden = page === undefined;
  if (page === undefined) return;
  const rows = page.items.map((job: JobView) => [
    job.fileName ?? job.id,
    job.createdAt === undefined ? '' : new Date(job.createdAt).toLocaleString(),
    job.status,
    links(job),
  ]);
  table(byId('history-table', HTMLTableElement), ['File', 'Created', 'Status', 'Files'], rows);
}

function links(job: JobView): HTMLElement {
  const cell = el('span');
  const name = job.fileName ?? job.id;
  if (job.result?.url)
    cell.append(
      el('a', { href: job.result.url, 'aria-label': `Result of ${name}` }, 'result'),
      ' ',
    );
  if (job.result?.rejectsUrl)
    cell.append(
      el('a', { href: job.result.rejectsUrl, 'aria-label': `Rejects of ${name}` }, 'rejects'),
    );
  return cell;
}

/**
 * The directory option: a list of this key's directories (`GET /v1/directories`) when the API
 * has it (and a key is entered), otherwise a field for a directory id.
 */
export async function renderDirectoryField(api: ApiClient | undefined): Promise<void> {
  const page = await api?.listDirectories(100).catch(() => undefined);
  const field = byId('directory-field');
  const labelNode = el('label', { for: 'directory' }, 'Directory');
  if (page === undefined) {
    field.replaceChildren(
      labelNode,
      el('input', {
        id: 'directory',
        autocomplete: 'off',
        placeholder: 'none',
        'aria-describedby': 'directory-hint',
      }),
      el(
        'p',
        { id: 'directory-hint', class: 'hint' },
        'Id of a reference directory to match against (optional).',
      ),
    );
    return;
  }
  const select = el('select', { id: 'directory' }, el('option', { value: '' }, 'None'));
  for (const directory of page.items)
    select.append(el('option', { value: directory.id }, directoryName(directory)));
  field.replaceChildren(labelNode, select);
}

/** Directories have no name of their own: their id, when they were uploaded and their size. */
function directoryName(directory: DirectoryItem): string {
  const when =
    directory.updatedAt === undefined ? '' : `, ${new Date(directory.updatedAt).toLocaleString()}`;
  const size =
    directory.sizeBytes === undefined ? '' : `, ${(directory.sizeBytes / 1024).toFixed(1)} KB`;
  return `${directory.id}${when}${size}`;
}
