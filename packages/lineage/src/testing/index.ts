export { createGitFixture, type GitFixture } from './git-fixture';
export { type S3TestServer, startS3TestServer } from './s3-test-server';
