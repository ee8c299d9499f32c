import { stopQuietlyOnEpipe } from './entry.ts';
import { main } from './main.ts';

stopQuietlyOnEpipe();
process.exitCode = await main(process.argv.slice(2));
