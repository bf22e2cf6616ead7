export { deleteKeysUnder, unlinkKeysUnder } from './unlink-keys';
