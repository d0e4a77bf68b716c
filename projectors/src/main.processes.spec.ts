import path from 'node:path';
import { describeServiceProcess } from '@chat/platform';

describeServiceProcess('projectors', path.resolve(__dirname, '../dist/main.js'));
