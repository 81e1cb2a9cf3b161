// Package edit changes an environment folder's inventory files the way an
// operator would by hand: it adds and removes workload_cluster and node
// blocks, and scaffolds a new environment. Its functions are pure: they take
// the bytes of the folder's files and return the new bytes of the one file
// they change, for the caller to validate (inventory.LoadWith with an
// overlay) and then write.
//
// Only the edited region changes: every other byte of the file (comments,
// blank lines, alignment) is kept as it was. New blocks are written by
// hclwrite and formatted as "terraform fmt" would, indented like their
// siblings. A removed block takes with it the comment lines directly above
// it (no blank line between), as hclwrite's RemoveBlock does, and one blank
// line that separated it from its neighbours.
//
// It does not validate: the loader does, on the edited text. It refuses
// only what makes the edit itself meaningless (adding a name that exists,
// removing one that does not, a syntax error in a file it must search).
package edit
