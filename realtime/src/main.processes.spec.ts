import path from 'node:path';
import { describeServiceProcess } from '@chat/platform';

describeServiceProcess('realtime', path.resolve(__dirname, '../dist/main.js'));
