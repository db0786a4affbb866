import { describe, expect, it } from 'vitest';
import { recognize, toColumnMapping } from './column-mapping.ts';

describe('recognize', () => {
  it('reads a Google-style header like the workers do', () => {
    const header = ['First Name', 'Last Name', 'E-mail 1 - Value', 'Phone 1 - Value', 'Notes'];
    expect(recognize(header)).toEqual({
      fields: ['first_name', 'last_name', 'email', 'phone', ''],
      usable: true,
    });
  });

  it('says when nothing can be matched on', () => {
    expect(recognize(['foo', 'bar'])).toEqual({ fields: ['', ''], usable: false });
  });
});

describe('toColumnMapping', () => {
  it('lists several email columns and one header per single field', () => {
    const { mapping, problems } = toColumnMapping(
      ['Given', 'Mail', 'Mail 2', 'x'],
      ['first_name', 'email', 'email', ''],
    );
    expect(mapping).toEqual({ first_name: 'Given', email: ['Mail', 'Mail 2'] });
    expect(problems).toEqual([]);
  });

  it('refuses a single field on two columns and a mapping without a key field', () => {
    const { problems } = toColumnMapping(['a', 'b'], ['company', 'company']);
    expect(problems).toEqual([
      '“Company” is chosen for 2 columns; pick one.',
      'Map at least one name, email or phone column.',
    ]);
  });
});
