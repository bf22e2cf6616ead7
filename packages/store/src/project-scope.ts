/** Only rows of these projects; absent: every project. */
export interface ProjectScope {
  projects?: readonly string[];
}
