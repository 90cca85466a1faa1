package ode

type adjoint struct{}
