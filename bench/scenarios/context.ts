import type { App } from '../app.js';
import type { DatabaseResult } from '../report.js';
import type { Shop } from './shop.js';

/** What every scenario of one database's run gets: the running app, its fixtures, where to record. */
export interface ScenarioContext {
  app: App;
  databaseUrl: string;
  shop: Shop;
  result: DatabaseResult;
  /** The run's temporary folder. */
  dir: string;
}
