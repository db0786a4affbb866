import {
  label,
  MAPPABLE_FIELDS,
  recognize,
  toColumnMapping,
  type ColumnFields,
} from './column-mapping.ts';
import { previewRows } from './csv-rows.ts';
import { byId, el, table } from './dom.ts';

const PREVIEW_BYTES = 64 * 1024;
const PREVIEW_ROWS = 5;

/** What the page knows about the chosen file. */
export interface ChosenFile {
  readonly file: File;
  readonly header: readonly string[];
  fields: ColumnFields[number][];
  /** Only a mapping the person changed is sent; otherwise the service recognizes it itself. */
  edited: boolean;
}

/** Reads the file's beginning, shows its first rows and the editable column mapping. */
export async function previewFile(
  file: File,
  onChange: (chosen: ChosenFile) => void,
): Promise<ChosenFile> {
  const whole = file.size <= PREVIEW_BYTES;
  const text = await file.slice(0, PREVIEW_BYTES).text();
  const { header, rows } = previewRows(text, PREVIEW_ROWS, whole);
  const { fields } = recognize(header);
  const chosen: ChosenFile = { file, header, fields: [...fields], edited: false };
  table(byId('preview-table', HTMLTableElement), header, rows);
  renderMapping(chosen, onChange);
  byId('preview').hidden = false;
  onChange(chosen);
  return chosen;
}

function renderMapping(chosen: ChosenFile, onChange: (chosen: ChosenFile) => void): void {
  const rows = chosen.header.map((name, index) => {
    const select = el('select', { 'aria-label': `Field of column ${name || index + 1}` });
    select.append(el('option', { value: '' }, '— not used —'));
    for (const field of MAPPABLE_FIELDS) {
      const option = el('option', { value: field }, label(field));
      if (chosen.fields[index] === field) option.selected = true;
      select.append(option);
    }
    select.addEventListener('change', () => {
      chosen.fields[index] = select.value as ChosenFile['fields'][number];
      chosen.edited = true;
      onChange(chosen);
    });
    return [name, select];
  });
  table(byId('mapping-table', HTMLTableElement), ['Column', 'Field'], rows);
}

/** Problems that stop the upload (an unusable mapping), written where the mapping is. */
export function mappingProblems(chosen: ChosenFile): string[] {
  const { problems } = toColumnMapping(chosen.header, chosen.fields);
  byId('mapping-problems').replaceChildren(...problems.map((p) => el('p', {}, p)));
  return problems;
}

/** The `columnMapping` option, only when the person changed the recognized one. */
export function columnMappingOption(
  chosen: ChosenFile,
): Record<string, string | string[]> | undefined {
  return chosen.edited ? toColumnMapping(chosen.header, chosen.fields).mapping : undefined;
}
