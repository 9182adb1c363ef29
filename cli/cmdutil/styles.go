package cmdutil

import "github.com/charmbracelet/lipgloss"

// Styles are the named styles of kairo's terminal output. When colour is off
// every style renders its text unchanged.
type Styles struct {
	Title     lipgloss.Style
	Header    lipgloss.Style
	Muted     lipgloss.Style
	Good      lipgloss.Style
	Bad       lipgloss.Style
	Warn      lipgloss.Style
	Highlight lipgloss.Style
	Key       lipgloss.Style
}

// Styles returns the styles for these streams.
func (s *IOStreams) Styles() Styles {
	if !s.color {
		p := lipgloss.NewStyle()
		return Styles{p, p, p, p, p, p, p, p}
	}
	return Styles{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12")),
		Header:    lipgloss.NewStyle().Bold(true),
		Muted:     lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Good:      lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		Bad:       lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true),
		Warn:      lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		Highlight: lipgloss.NewStyle().Foreground(lipgloss.Color("13")).Bold(true),
		Key:       lipgloss.NewStyle().Foreground(lipgloss.Color("14")),
	}
}
