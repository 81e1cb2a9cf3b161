// Package suggest finds the valid value a mistyped one most likely meant:
// the "Did you mean" of every fleetgen message that refuses a value from a
// known set (an attribute's allowed words, a name that must refer to a
// declared block, an environment, a flag's words, a chart in an index).
// Every such message uses it, so they all suggest alike.
package suggest
