import type { AppContext } from '../../context.js';
import type { Page, Paged } from '../../lib/pagination.js';
import { parseInstant } from '../../lib/time.js';
import { type EventRow, listEvents } from './events.repository.js';
import type { Event, EventsQuery, EventType } from './events.schemas.js';

export const toEvent = (row: EventRow): Event => ({
  id: row.id,
  type: row.type as EventType,
  created_at: row.created_at,
  data: JSON.parse(row.data),
});

export class EventsService {
  constructor(private readonly ctx: AppContext) {}

  async list(query: EventsQuery, page: Page): Promise<Paged<Event>> {
    const from = query.from === undefined ? undefined : parseInstant(query.from, 'querystring:/from');
    const { rows, total } = await listEvents(this.ctx.db, { type: query.type, from }, page);
    return { items: rows.map(toEvent), total };
  }
}
