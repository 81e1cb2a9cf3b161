// Package templates holds the embedded text/template files fleetgen renders
// shell scripts, ufw rules and READMEs from, the functions they may call, and
// the verbatim copy of ufw's stock after.rules.
//
// Structured formats (JSON, YAML, HCL) are not templated here: render emits
// them through their libraries. Templates get plain view structs from render
// and quote every inventory value themselves (shq, sdq, …), so a template
// never trusts that validation ran.
package templates
