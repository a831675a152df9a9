// Command labctl turns an Istio service-mesh tutorial into a lab environment
// that builds itself, guides the learner and proves each step worked.
package main

import "github.com/labctl/labctl/cmd/labctl/app"

func main() {
	app.Main()
}
