import 'dotenv/config';
import { exitOnConfigError, loadConfig } from '../config.js';
import { prepareDatabase } from './prepare.js';

// `npm run migrate`: the same locked migrate-and-seed the server runs at start. The cluster
// primary runs this file as a short-lived child, so that it never loads the database code itself.
const report = await prepareDatabase(loadConfig()).catch(exitOnConfigError);
if (report.migrated.length === 0) console.log('Schema is up to date');
