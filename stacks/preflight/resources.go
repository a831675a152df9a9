package preflight

import (
	"fmt"
	"strings"

	"github.com/labctl/labctl/stacks"
)

// DefaultSlimHint is appended to resource warnings; the caller may pass a
// more precise one (the flag that selects the slim profile).
const DefaultSlimHint = "or run a lighter environment: the minimal stack, or the slim resource profile (lower requests, no autoscaling)"

const mib = 1 << 20

// RuntimeResources compares what the container runtime offers (GET /info
// MemTotal and NCPU) with what the stack requires, and warns when it is
// short: kind nodes share the runtime's memory and CPUs, and istiod plus the
// addons stay Pending with "Insufficient cpu/memory" otherwise. slimHint ""
// means DefaultSlimHint.
func RuntimeResources(rt Runtime, info *EngineInfo, needs stacks.Resources, slimHint string) Report {
	if info == nil {
		return nil
	}
	var short []string
	haveMiB := int(info.MemTotal / mib)
	if needs.MemoryMiB > 0 && info.MemTotal > 0 && haveMiB < needs.MemoryMiB {
		short = append(short, fmt.Sprintf("%s of memory (the stack needs %s)", gib(haveMiB), gib(needs.MemoryMiB)))
	}
	if needs.CPUs > 0 && info.NCPU > 0 && info.NCPU < needs.CPUs {
		short = append(short, fmt.Sprintf("%d CPUs (the stack needs %d)", info.NCPU, needs.CPUs))
	}
	if len(short) == 0 {
		return nil
	}
	if slimHint == "" {
		slimHint = DefaultSlimHint
	}
	return Report{{
		Check:    CheckResources,
		Severity: Warning,
		Problem:  fmt.Sprintf("%s offers %s; pods may stay Pending with \"Insufficient cpu\" or \"Insufficient memory\"", engineLabel(rt, info), strings.Join(short, " and ")),
		Fix:      raiseHint(rt, info, needs) + "\n" + slimHint,
	}}
}

func engineLabel(rt Runtime, info *EngineInfo) string {
	switch {
	case info.DockerDesktop():
		return "Docker Desktop"
	case info.Name == "colima":
		return "Colima"
	}
	return title(rt.Name)
}

// raiseHint says where the runtime's limits are set.
func raiseHint(rt Runtime, info *EngineInfo, needs stacks.Resources) string {
	mem := needs.MemoryMiB
	cpus := needs.CPUs
	switch {
	case info.DockerDesktop():
		return fmt.Sprintf("give Docker Desktop more: Settings → Resources → Advanced: Memory ≥ %s, CPUs ≥ %d, then Apply & restart", gib(mem), max(cpus, 1))
	case info.Name == "colima":
		return fmt.Sprintf("give Colima more: `colima stop && colima start --memory %d --cpu %d`", (mem+1023)/1024, max(cpus, 1))
	case rt.Name == RuntimePodman && rt.GOOS != "linux":
		return fmt.Sprintf("give the Podman machine more: `podman machine stop && podman machine set --memory %d --cpus %d && podman machine start`", mem, max(cpus, 1))
	}
	return "this machine itself is short: close other programs or use a bigger machine"
}

func gib(m int) string {
	if m%1024 == 0 {
		return fmt.Sprintf("%d GiB", m/1024)
	}
	return fmt.Sprintf("%.1f GiB", float64(m)/1024)
}
