import type { Executor, Trx } from '../../db/database.js';
import type { Page } from '../../lib/pagination.js';

export interface EventRow {
  seq: number;
  id: string;
  type: string;
  data: string;
  created_at: string;
}

export async function insertEvent(trx: Trx, event: Omit<EventRow, 'seq'>): Promise<number> {
  const row = await trx.insertInto('events').values(event).returning('seq').executeTakeFirstOrThrow();
  return row.seq;
}

export const eventsBySeq = (db: Executor, seqs: readonly number[]): Promise<EventRow[]> =>
  seqs.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('events')
        .selectAll()
        .where('seq', 'in', [...new Set(seqs)])
        .execute();

export interface EventFilter {
  type?: string;
  from?: string;
}

/** The log, newest first. */
export async function listEvents(db: Executor, filter: EventFilter, page: Page) {
  const base = db
    .selectFrom('events')
    .$if(filter.type !== undefined, (qb) => qb.where('type', '=', filter.type as string))
    .$if(filter.from !== undefined, (qb) => qb.where('created_at', '>=', filter.from as string));
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('seq', 'desc').limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}
