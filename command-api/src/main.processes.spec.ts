import path from 'node:path';
import { describeServiceProcess } from '@chat/platform';

describeServiceProcess('command-api', path.resolve(__dirname, '../dist/main.js'));
