import path from 'node:path';
import { describeServiceProcess } from '@chat/platform';

describeServiceProcess('query-api', path.resolve(__dirname, '../dist/main.js'));
