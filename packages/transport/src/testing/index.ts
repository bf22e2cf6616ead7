export { unlinkKeysUnder } from './unlink-keys';
