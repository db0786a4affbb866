import type { JobView } from './api-client.ts';
import { byId, el, setProgress, table } from './dom.ts';
import { describeJobError } from './job-errors.ts';
import type { ResultSummary } from './result-summary.ts';
import { label } from './column-mapping.ts';
import { summaryChart } from './summary-chart.ts';
import { formatDuration, Throughput } from './throughput.ts';

const STATUS_WORDS: Readonly<Record<JobView['status'], string>> = {
  awaiting_upload: 'waiting for the file',
  queued: 'queued',
  splitting: 'reading the file',
  processing: 'enriching rows',
  merging: 'writing the result',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The job section: status, upload and enrichment progress, reason, summary and downloads. */
export class JobPanel {
  #pace = new Throughput();

  /** Shows a fresh job section for a file about to be uploaded. */
  reset(fileName: string): void {
    this.#pace = new Throughput();
    byId('job').hidden = false;
    byId('job-file').textContent = fileName;
    byId('job-status').textContent = 'uploading';
    setProgress(byId('upload-progress'), 0);
    byId('upload-text').textContent = '';
    setProgress(byId('job-progress'), 0);
    byId('job-rate').textContent = '';
    byId('job-error').replaceChildren();
    byId('summary').hidden = true;
    byId('downloads').hidden = true;
    byId('download-result').hidden = true;
    byId('download-rejects').hidden = true;
    byId('cancel').hidden = true;
    byId('job-channel').textContent = 'waiting';
  }

  /** How the page hears about the job: live events, or polling when they cannot serve. */
  channel(channel: 'events' | 'polling'): void {
    byId('job-channel').textContent =
      channel === 'events' ? 'live (server-sent events)' : 'checking every second';
  }

  uploadProgress(fraction: number, bytes: number): void {
    const percent = fraction * 100;
    setProgress(byId('upload-progress'), percent);
    byId('upload-text').textContent = `${Math.round(percent)}% of ${formatBytes(bytes)}`;
  }

  uploadDone(via: 'storage' | 'api'): void {
    byId('upload-text').textContent =
      via === 'storage' ? 'uploaded straight to storage' : 'uploaded through the API';
  }

  show(view: JobView): void {
    const final =
      view.status === 'completed' || view.status === 'failed' || view.status === 'cancelled';
    byId('job-status').textContent = STATUS_WORDS[view.status];
    byId('cancel').hidden = final;
    const { rowsProcessed, rowsTotal, rowsRejected } = view.progress;
    this.#pace.add(Date.now(), rowsProcessed);
    const percent =
      view.status === 'completed' ? 100 : rowsTotal ? (rowsProcessed / rowsTotal) * 100 : 0;
    const rows = `${rowsProcessed.toLocaleString()} of ${rowsTotal === null ? '?' : rowsTotal.toLocaleString()} rows`;
    setProgress(byId('job-progress'), percent, rows);
    byId('job-rate').textContent = final
      ? `${rows}, ${rowsRejected.toLocaleString()} rejected`
      : this.#rateText(rows, rowsTotal);
    if (view.status === 'failed' && view.error) this.#failed(view.error);
    if (final) this.#links(view);
  }

  #rateText(rows: string, rowsTotal: number | null): string {
    const rate = this.#pace.rowsPerSecond();
    const left = this.#pace.secondsLeft(rowsTotal);
    return [
      rows,
      rate === undefined ? undefined : `${Math.round(rate).toLocaleString()} rows/s`,
      left === undefined ? undefined : `about ${formatDuration(left)} left`,
    ]
      .filter(Boolean)
      .join(' · ');
  }

  #failed(error: { code: string; message: string }): void {
    byId('job-error').replaceChildren(
      el('p', {}, el('strong', {}, describeJobError(error))),
      el('p', { class: 'hint' }, `Details (${error.code}): ${error.message}`),
    );
  }

  #links(view: JobView): void {
    const result = byId('download-result', HTMLAnchorElement);
    const rejects = byId('download-rejects', HTMLAnchorElement);
    if (view.result?.url) result.href = view.result.url;
    if (view.result?.rejectsUrl) rejects.href = view.result.rejectsUrl;
    result.hidden = !view.result?.url;
    rejects.hidden = !view.result?.rejectsUrl;
    byId('downloads').hidden = result.hidden && rejects.hidden;
  }

  /** Draws the counts as a chart and as tables (the chart's text alternative). */
  summary(summary: ResultSummary): void {
    const groups = [
      { title: 'Match status', counts: summary.matchStatus },
      ...Object.entries(summary.fields).map(([field, counts]) => ({ title: label(field), counts })),
    ];
    const description = `Counts of ${summary.rows} rows by match status and by field label`;
    byId('chart').replaceChildren(summaryChart(groups, description));
    byId('summary-tables').replaceChildren(
      ...groups.map((group) => {
        const node = el('table');
        table(
          node,
          ['Label', 'Rows'],
          Object.entries(group.counts).map(([name, count]) => [name, String(count)]),
        );
        node.prepend(el('caption', {}, group.title));
        return node;
      }),
    );
    byId('summary').hidden = false;
  }

  summaryUnavailable(reason: string): void {
    byId('summary-tables').replaceChildren(el('p', { class: 'hint' }, `No summary: ${reason}`));
    byId('chart').replaceChildren();
    byId('summary').hidden = false;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
