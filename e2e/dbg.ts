import request from 'supertest';
import { startHarness, TENANT_A } from './src/index.ts';
const h = await startHarness({ prefix: 'dbg', env: { LOG_LEVEL: 'error' } });
const r = await request(h.app).post('/v1/jobs').set({ Authorization: `Bearer ${TENANT_A.key}` }).send({ fileName: 'a.csv', chunkRows: 40 });
console.log(r.status, JSON.stringify(r.body).slice(0, 300));
await h.close();
