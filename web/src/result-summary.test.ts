import { describe, expect, it } from 'vitest';
import { ResultCounter } from './result-summary.ts';

describe('ResultCounter', () => {
  it('counts match statuses and field labels after the engine’s match_status', () => {
    const counter = new ResultCounter();
    counter.push(
      'name,match_status,match_status,match_id,email,email_status,email_previous,phone,phone_st',
    );
    counter.push(
      'atus\nAnn,x,exact,1,a@x.org,confirmed,,1,new\nBob,y,none,,"b@x,org",invalid,,,\n',
    );
    counter.push('Cy,z,exact,2,c@x.org,confirmed,,2,updated');
    expect(counter.end()).toEqual({
      rows: 3,
      matchStatus: { exact: 2, none: 1 },
      fields: { email: { confirmed: 2, invalid: 1 }, phone: { new: 1, updated: 1 } },
    });
  });
});
