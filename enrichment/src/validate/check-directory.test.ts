import { describe, expect, it } from 'vitest';
import { checkDirectorySample } from './check-directory.ts';

const check = (text: string, complete = true) => checkDirectorySample(Buffer.from(text), complete);

describe('checkDirectorySample', () => {
  it('accepts the snake_case directory and a contact export with an id column', () => {
    expect(check('id,first_name,last_name,email\n1,Ann,Lee,ann@lee.test\n')).toMatchObject({
      ok: true,
      sampleRows: 1,
    });
    expect(
      check('\uFEFFContact ID,Given Name,Family Name,E-mail 1 - Value\r\n7,Ann,Lee,a@b.co\r\n'),
    ).toMatchObject({ ok: true });
  });

  it('refuses an empty file, a header alone, binary data', () => {
    expect(check('')).toEqual({ ok: false, message: 'the directory file is empty' });
    expect(check('id,email\n')).toEqual({
      ok: false,
      message: 'the directory has a header but no rows',
    });
    expect(check('PK\u0003\u0004\u0000\u0000')).toMatchObject({ ok: false, message: /binary/ });
  });

  it('names the headers it saw when there is no id or nothing to match on', () => {
    expect(check('first_name,email\nAnn,a@b.co\n')).toMatchObject({
      ok: false,
      message: /no id column.*"first_name", "email"/,
    });
    expect(check('id,colour\n1,red\n')).toMatchObject({
      ok: false,
      message: /no recognizable name, email or phone column/,
    });
  });

  it('refuses rows that do not fit the header, and ignores a row cut by the sample', () => {
    expect(check('id;name;email\n1;Ann Lee;a@b.co\n')).toMatchObject({ ok: false });
    expect(check('id,email\n1,a@b.co\n2,b@b.co\n3,"c@', false)).toMatchObject({
      ok: true,
      sampleRows: 2,
    });
    expect(check('id,name,email\n1,Ann\n2,Bob\n3,Cy,c@d.co\n')).toMatchObject({
      ok: false,
      message: /2 of the first 3 rows/,
    });
  });
});
