import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseColumnMapping, parseSubmitArgs, SubmitUsageError } from './submit-options.ts';

describe('parseSubmitArgs', () => {
  it('answers help for --help and -h', () => {
    expect(parseSubmitArgs(['--help'])).toBe('help');
    expect(parseSubmitArgs(['x.csv', '-h'])).toBe('help');
  });

  it('writes the result and the rejects beside the input, not in the working directory', () => {
    const request = parseSubmitArgs([join('data', 'in', 'crm.csv')]);
    expect(request).toMatchObject({
      out: join('data', 'in', 'crm-enriched.csv'),
      rejectsOut: join('data', 'in', 'crm-rejects.csv'),
      query: { fileName: 'crm.csv' },
    });
  });

  it('puts the rejects beside an --out given elsewhere', () => {
    const request = parseSubmitArgs(['crm.csv', '--out', join('out', 'result.csv')]);
    expect(request).toMatchObject({ rejectsOut: join('out', 'result-rejects.csv') });
  });

  it('passes the job options as query parameters', () => {
    const request = parseSubmitArgs([
      'crm.csv',
      '--provider',
      'pdl',
      '--region',
      'gb',
      '--tolerated-reject-percent',
      '5',
      '--chunk-rows',
      '100',
      '--column-mapping',
      'Mail=email,Nom=last_name',
      '--directory',
      'dir.csv',
    ]);
    expect(request).toMatchObject({
      directory: 'dir.csv',
      query: {
        fileName: 'crm.csv',
        provider: 'pdl',
        region: 'GB',
        toleratedRejectPercent: '5',
        chunkRows: '100',
        columnMapping: '{"email":"Mail","last_name":"Nom"}',
      },
    });
  });

  it('refuses a missing file, two files and unknown options', () => {
    expect(() => parseSubmitArgs([])).toThrow(SubmitUsageError);
    expect(() => parseSubmitArgs(['a.csv', 'b.csv'])).toThrow(/one file at a time/);
    expect(() => parseSubmitArgs(['a.csv', '--colour', 'red'])).toThrow(SubmitUsageError);
  });
});

describe('parseColumnMapping', () => {
  it('reads JSON in the API’s shape', () => {
    expect(parseColumnMapping('{"email":["Mail","E-mail"]}')).toEqual({
      email: ['Mail', 'E-mail'],
    });
  });

  it('reads column=field pairs, several columns of one field as a list', () => {
    expect(parseColumnMapping('Mail=email, Work mail=email,Nom=last_name')).toEqual({
      email: ['Mail', 'Work mail'],
      last_name: 'Nom',
    });
    expect(parseColumnMapping('a=b=email')).toEqual({ email: 'a=b' });
  });

  it('says what is wrong with a bad mapping', () => {
    expect(() => parseColumnMapping('{"email":')).toThrow(/not valid JSON/);
    expect(() => parseColumnMapping('[1]')).toThrow(SubmitUsageError);
    expect(() => parseColumnMapping('Mail')).toThrow(/"Mail" is not column=field/);
    expect(() => parseColumnMapping('=email')).toThrow(SubmitUsageError);
  });
});
