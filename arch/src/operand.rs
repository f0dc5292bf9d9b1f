//! The tensors every engine accounts for, and a map keyed by them.

use serde::{Deserialize, Serialize};

/// A tensor class whose accesses are counted separately at every memory level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    /// Filter weights (or matrix coefficients).
    Weights,
    /// Input activations (ifmap).
    Inputs,
    /// Final outputs (ofmap).
    Outputs,
    /// Partial sums read back and written again before they become outputs.
    Psums,
    /// Sparse indices, pointers, codebooks: anything that is not data.
    Metadata,
}

impl Operand {
    /// All operands in report order.
    pub const ALL: [Operand; 5] =
        [Operand::Weights, Operand::Inputs, Operand::Outputs, Operand::Psums, Operand::Metadata];

    /// The snake_case name used in CSV columns and TOML keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Operand::Weights => "weights",
            Operand::Inputs => "inputs",
            Operand::Outputs => "outputs",
            Operand::Psums => "psums",
            Operand::Metadata => "metadata",
        }
    }
}

/// One value per operand. Adds element-wise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerOperand<T> {
    /// Filter weights.
    pub weights: T,
    /// Input activations.
    pub inputs: T,
    /// Outputs.
    pub outputs: T,
    /// Partial sums.
    pub psums: T,
    /// Indices, pointers and codebooks.
    pub metadata: T,
}

impl<T> PerOperand<T> {
    /// The value for one operand.
    pub fn get(&self, op: Operand) -> &T {
        match op {
            Operand::Weights => &self.weights,
            Operand::Inputs => &self.inputs,
            Operand::Outputs => &self.outputs,
            Operand::Psums => &self.psums,
            Operand::Metadata => &self.metadata,
        }
    }

    /// Mutable access to the value for one operand.
    pub fn get_mut(&mut self, op: Operand) -> &mut T {
        match op {
            Operand::Weights => &mut self.weights,
            Operand::Inputs => &mut self.inputs,
            Operand::Outputs => &mut self.outputs,
            Operand::Psums => &mut self.psums,
            Operand::Metadata => &mut self.metadata,
        }
    }

    /// Apply `f` to every operand's value.
    pub fn map<U>(&self, mut f: impl FnMut(Operand, &T) -> U) -> PerOperand<U> {
        PerOperand {
            weights: f(Operand::Weights, &self.weights),
            inputs: f(Operand::Inputs, &self.inputs),
            outputs: f(Operand::Outputs, &self.outputs),
            psums: f(Operand::Psums, &self.psums),
            metadata: f(Operand::Metadata, &self.metadata),
        }
    }

    /// Iterate `(operand, value)` in report order.
    pub fn iter(&self) -> impl Iterator<Item = (Operand, &T)> {
        Operand::ALL.into_iter().map(move |op| (op, self.get(op)))
    }
}

impl<T: Copy + std::ops::Add<Output = T>> PerOperand<T> {
    /// Sum over all operands.
    pub fn total(&self) -> T {
        self.weights + self.inputs + self.outputs + self.psums + self.metadata
    }
}

impl<T: std::ops::Add<Output = T>> std::ops::Add for PerOperand<T> {
    type Output = PerOperand<T>;
    fn add(self, o: Self) -> Self {
        PerOperand {
            weights: self.weights + o.weights,
            inputs: self.inputs + o.inputs,
            outputs: self.outputs + o.outputs,
            psums: self.psums + o.psums,
            metadata: self.metadata + o.metadata,
        }
    }
}

impl<T: Copy + std::ops::AddAssign> std::ops::AddAssign for PerOperand<T> {
    fn add_assign(&mut self, o: Self) {
        self.weights += o.weights;
        self.inputs += o.inputs;
        self.outputs += o.outputs;
        self.psums += o.psums;
        self.metadata += o.metadata;
    }
}
