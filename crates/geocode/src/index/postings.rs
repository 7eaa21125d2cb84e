//! Postings: for each token, the street names containing it, in CSR form
//! (one flat list of name ids, one offset per token), so that the names of
//! a whole prefix range of tokens are one slice.

/// Token id → sorted ids of the street names containing that token.
#[derive(Debug)]
pub(super) struct Postings {
    /// `names[offsets[t]..offsets[t + 1]]` are the names of token `t`.
    offsets: Vec<u32>,
    names: Vec<u32>,
}

impl Postings {
    /// The postings of `tokens` tokens over `names` street names, where
    /// `content(n)` gives the sorted, distinct tokens of name `n` that are
    /// worth looking up (stopwords left out).
    pub(super) fn new(tokens: usize, names: usize, content: impl Fn(usize) -> Vec<u32>) -> Self {
        let mut counts = vec![0u32; tokens + 1];
        for n in 0..names {
            for t in content(n) {
                counts[t as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts;
        let mut fill = offsets.clone();
        let mut list = vec![0u32; *offsets.last().unwrap_or(&0) as usize];
        for n in 0..names {
            for t in content(n) {
                list[fill[t as usize] as usize] = n as u32;
                fill[t as usize] += 1;
            }
        }
        Self {
            offsets,
            names: list,
        }
    }

    /// Number of street names containing token `t`.
    pub(super) fn df(&self, t: u32) -> u32 {
        self.offsets[t as usize + 1] - self.offsets[t as usize]
    }

    /// Number of postings of the tokens `lo..hi` together.
    pub(super) fn df_range(&self, lo: u32, hi: u32) -> u32 {
        self.offsets[hi as usize] - self.offsets[lo as usize]
    }

    /// The street names of the tokens `lo..hi`, sorted within each token.
    pub(super) fn names(&self, lo: u32, hi: u32) -> &[u32] {
        let a = self.offsets[lo as usize] as usize;
        let b = self.offsets[hi as usize] as usize;
        &self.names[a..b]
    }

    /// Bytes on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.names.capacity()) * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_names_of_each_token_and_of_a_token_range() {
        // Name 0 has tokens 0 and 2, name 1 has token 2.
        let content = |n: usize| if n == 0 { vec![0, 2] } else { vec![2] };
        let p = Postings::new(3, 2, content);
        assert_eq!((p.df(0), p.df(1), p.df(2)), (1, 0, 2));
        assert_eq!(p.names(2, 3), &[0, 1]);
        assert_eq!(p.names(0, 3), &[0, 0, 1]);
        assert_eq!(p.df_range(0, 2), 1);
    }
}
